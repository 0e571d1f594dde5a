package io.ringway.http;

/** {@link Http1ConformanceTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelHttp1ConformanceTest extends Http1ConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
