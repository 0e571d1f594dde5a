package io.ringway.http;

/** {@link KeepAliveParkingTest} on epoll, where seccomp's default profiles put the node. */
class EpollKeepAliveParkingTest extends KeepAliveParkingTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
