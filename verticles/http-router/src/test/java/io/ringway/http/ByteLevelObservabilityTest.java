package io.ringway.http;

/** {@link ObservabilityTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelObservabilityTest extends ObservabilityTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
