package io.ringway.http;

/** {@link H2cHttp1ConformanceTest} with the byte-level HTTP/1 path on: h2c and the byte-level path on one listener. */
class ByteLevelH2cHttp1ConformanceTest extends H2cHttp1ConformanceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
