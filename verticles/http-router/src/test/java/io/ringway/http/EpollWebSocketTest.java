package io.ringway.http;

/** {@link WebSocketTest} on epoll: the core suite runs on both native transports. */
class EpollWebSocketTest extends WebSocketTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
