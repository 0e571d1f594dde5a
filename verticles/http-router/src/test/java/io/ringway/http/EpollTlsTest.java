package io.ringway.http;

/** {@link TlsTest} on epoll: the core suite runs on both native transports. */
class EpollTlsTest extends TlsTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
