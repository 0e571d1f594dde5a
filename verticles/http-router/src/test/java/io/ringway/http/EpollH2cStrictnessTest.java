package io.ringway.http;

/** {@link H2cStrictnessTest} on epoll. */
class EpollH2cStrictnessTest extends H2cStrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.epoll();
  }
}
