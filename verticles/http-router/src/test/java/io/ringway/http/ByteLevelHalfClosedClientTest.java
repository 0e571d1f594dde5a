package io.ringway.http;

/** {@link HalfClosedClientTest} with the byte-level HTTP/1 path on. */
class ByteLevelHalfClosedClientTest extends HalfClosedClientTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
