package io.ringway.http;

/** {@link EndpointDeathTest} on epoll, which reports refused connects and resets within the call. */
class EpollEndpointDeathTest extends EndpointDeathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
