package io.ringway.http;

/** {@link UpstreamFailurePersistenceTest} through the byte-level HTTP/1 path (the shipped listener). */
class ByteLevelUpstreamFailurePersistenceTest extends UpstreamFailurePersistenceTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }
}
