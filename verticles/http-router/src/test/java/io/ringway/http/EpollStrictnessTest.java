package io.ringway.http;

/** {@link StrictnessTest} on epoll: the core suite runs on both native transports. */
class EpollStrictnessTest extends StrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
