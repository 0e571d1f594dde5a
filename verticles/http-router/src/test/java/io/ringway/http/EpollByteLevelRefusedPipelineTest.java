package io.ringway.http;

/** {@link ByteLevelRefusedPipelineTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelRefusedPipelineTest extends RefusedPipelineTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
