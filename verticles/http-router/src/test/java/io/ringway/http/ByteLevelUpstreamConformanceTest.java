package io.ringway.http;

/** {@link UpstreamConformanceTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelUpstreamConformanceTest extends UpstreamConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
