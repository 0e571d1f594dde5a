package io.ringway.http;

/** {@link ByteLevelObservabilityTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelObservabilityTest extends ObservabilityTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
