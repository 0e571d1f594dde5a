package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link StrictnessTest} with the byte-level HTTP/1 path on: every request the suite sends is one a conforming server
 * must refuse, so none may be taken by the path, and each is refused as on the decoding path.
 */
class ByteLevelStrictnessTest extends StrictnessTest {

  @Override
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }

  @Test
  void aValidRequestTakesTheByteLevelPathWhereTheRefusedOnesDidNot() throws Exception {
    long before = fixture().listenerStats().getLong("byteLevelRequests");
    String response = RawHttp.exchange(fixture().port, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").contains("\r\nvia: 1.1 ringway\r\n");
    assertThat(fixture().listenerStats().getLong("byteLevelRequests")).isEqualTo(before + 1);
  }
}
