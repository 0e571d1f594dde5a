package io.ringway.http;

/** {@link ByteLevelResilienceTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelResilienceTest extends ResilienceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
