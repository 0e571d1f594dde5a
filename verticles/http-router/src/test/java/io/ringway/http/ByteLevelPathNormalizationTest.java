package io.ringway.http;

/** {@link PathNormalizationTest} with the byte-level HTTP/1 path on: it hands a path to normalize to the decoding one. */
class ByteLevelPathNormalizationTest extends PathNormalizationTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
