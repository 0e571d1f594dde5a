package io.ringway.http;

/** {@link ByteLevelDifferentialFuzzTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelDifferentialFuzzTest extends DifferentialFuzzTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
