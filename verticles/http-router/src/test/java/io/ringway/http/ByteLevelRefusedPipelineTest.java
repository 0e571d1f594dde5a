package io.ringway.http;

/** {@link RefusedPipelineTest} with the byte-level HTTP/1 path on: what it takes must be answered exactly as the decoding path does. */
class ByteLevelRefusedPipelineTest extends RefusedPipelineTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
