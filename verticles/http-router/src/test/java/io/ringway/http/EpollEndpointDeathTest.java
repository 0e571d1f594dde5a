package io.ringway.http;

/**
 * {@link EndpointDeathTest} on epoll, where the dead endpoint's resets, before the epoll plugin's
 * {@code GuardedEpollHandler}, reached connects to the live one that took their descriptor numbers, and a GET was
 * answered 503 in 12 runs of 60.
 */
class EpollEndpointDeathTest extends EndpointDeathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
