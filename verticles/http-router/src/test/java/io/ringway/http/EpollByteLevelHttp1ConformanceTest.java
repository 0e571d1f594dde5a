package io.ringway.http;

/** {@link ByteLevelHttp1ConformanceTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelHttp1ConformanceTest extends Http1ConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
