package io.ringway.http;

/** {@link ByteLevelPathTest} on epoll, where seccomp's default profiles put the shipped listener. */
class EpollByteLevelPathTest extends ByteLevelPathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevelEpoll();
  }
}
