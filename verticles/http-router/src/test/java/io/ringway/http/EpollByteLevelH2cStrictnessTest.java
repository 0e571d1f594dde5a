package io.ringway.http;

/** {@link ByteLevelH2cStrictnessTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelH2cStrictnessTest extends H2cStrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
