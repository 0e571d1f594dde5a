package io.ringway.http;

/** {@link UnreadConnectionTest} on epoll, where seccomp's default profiles put the node. */
class EpollUnreadConnectionTest extends UnreadConnectionTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
