package io.ringway.http;

/** {@link KeepAliveIdleTimeoutTest} on epoll, where seccomp's default profiles put the node. */
class EpollKeepAliveIdleTimeoutTest extends KeepAliveIdleTimeoutTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
