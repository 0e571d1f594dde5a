package io.ringway.http;

/**
 * {@link UpstreamConformanceTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the
 * decoding path does. Its listener has h2c off, so the suite's HTTP/2 clients are left out.
 */
class ByteLevelUpstreamConformanceTest extends UpstreamConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }

  @Override
  boolean h2Clients() {
    return false;
  }
}
