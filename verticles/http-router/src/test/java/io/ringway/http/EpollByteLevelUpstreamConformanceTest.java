package io.ringway.http;

/** {@link ByteLevelUpstreamConformanceTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelUpstreamConformanceTest extends UpstreamConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
