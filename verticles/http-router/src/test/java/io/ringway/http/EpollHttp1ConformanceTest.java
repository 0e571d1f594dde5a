package io.ringway.http;

/** {@link Http1ConformanceTest} on epoll: the conformance suite runs on both native transports. */
class EpollHttp1ConformanceTest extends Http1ConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
