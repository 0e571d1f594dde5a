package io.ringway.http;

/** {@link EndpointDeathTest} on epoll, where seccomp's default profiles put the node. */
class EpollEndpointDeathTest extends EndpointDeathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
