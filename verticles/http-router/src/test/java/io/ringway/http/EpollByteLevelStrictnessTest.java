package io.ringway.http;

/** {@link ByteLevelStrictnessTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelStrictnessTest extends StrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
