package io.ringway.http;

/** {@link ResilienceTest} on epoll: the core suite runs on both native transports. */
class EpollResilienceTest extends ResilienceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
