package io.ringway.http;

/** {@link ByteLevelH2cHttp1ConformanceTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelH2cHttp1ConformanceTest extends H2cHttp1ConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
