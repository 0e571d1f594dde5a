package io.ringway.http;

/** {@link DifferentialFuzzTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelDifferentialFuzzTest extends DifferentialFuzzTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
