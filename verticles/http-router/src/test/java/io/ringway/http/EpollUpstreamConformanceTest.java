package io.ringway.http;

/** {@link UpstreamConformanceTest} on epoll: the guard must not depend on how io_uring batches reads. */
class EpollUpstreamConformanceTest extends UpstreamConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
