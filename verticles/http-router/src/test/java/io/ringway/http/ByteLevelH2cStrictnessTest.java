package io.ringway.http;

/** {@link H2cStrictnessTest} with the byte-level HTTP/1 path on: h2c and the byte-level path on one listener. */
class ByteLevelH2cStrictnessTest extends H2cStrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
