package io.ringway.http;

/** {@link ResilienceTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelResilienceTest extends ResilienceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
