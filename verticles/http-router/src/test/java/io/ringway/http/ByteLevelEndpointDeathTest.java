package io.ringway.http;

/** {@link EndpointDeathTest} through the byte-level HTTP/1 path, whose exchanges retry with their own code. */
class ByteLevelEndpointDeathTest extends EndpointDeathTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
