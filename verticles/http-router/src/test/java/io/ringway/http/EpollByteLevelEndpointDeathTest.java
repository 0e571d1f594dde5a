package io.ringway.http;

/** {@link EndpointDeathTest} through the shipped listener where seccomp refuses io_uring: byte-level path, epoll. */
class EpollByteLevelEndpointDeathTest extends EndpointDeathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
