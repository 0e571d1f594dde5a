package io.ringway.http;

/** {@link Http2MalformedRequestTest} on epoll. */
class EpollHttp2MalformedRequestTest extends Http2MalformedRequestTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
