package io.ringway.http;

/**
 * {@link UpstreamFailurePersistenceTest} on epoll's byte-level path, where seccomp's default profiles put the shipped
 * listener: how a failed write and a cut answer surface differs from io_uring's.
 */
class EpollByteLevelUpstreamFailurePersistenceTest extends UpstreamFailurePersistenceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
