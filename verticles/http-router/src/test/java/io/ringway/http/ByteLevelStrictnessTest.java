package io.ringway.http;

/**
 * {@link StrictnessTest} with the byte-level HTTP/1 path on: every request the suite sends is one a conforming server
 * must refuse but its control, so the path takes that one only, and each other one is refused as on the decoding path.
 */
class ByteLevelStrictnessTest extends StrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
