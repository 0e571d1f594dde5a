package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Http1ConformanceTest} on a listener that also takes h2c, where the strict decoder is put in place by
 * the accepted-channel hook; plus the h2c upgrade, which must not be honoured for a request the decoder refused.
 */
class H2cHttp1ConformanceTest extends Http1ConformanceTest {

  @Override
  boolean h2c() {
    return true;
  }

  /** RFC 9112 §3.2 before RFC 9113 §3.2: a refused request is answered 400 in HTTP/1.1, never upgraded. */
  @ParameterizedTest
  @ValueSource(strings = {"", "Host: a\r\nHost: b\r\n", "Host: a b\r\n"})
  void h2cUpgradeOfARefusedRequestIs400(String host) throws Exception {
    String response = RawHttp.exchange(fixture().port, "GET / HTTP/1.1\r\n" + host
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain("101");
  }

  /** RFC 9110 §7.8: an h2c upgrade that cannot be honoured is ignored and the request served in HTTP/1.1. */
  @ParameterizedTest
  @ValueSource(strings = {
      "Connection: Up,rade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n",
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AMAAABkAAQAoAAAAAIAAAAA\r\n",
      "Connection: Upgrade\r\nUpgrade: h2c\r\n",
      // ENABLE_PUSH 0x100000, INITIAL_WINDOW_SIZE 2^31, MAX_FRAME_SIZE 16383: values out of range (RFC 9113 §6.5.2).
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAEAAA\r\n",
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AASAAAAA\r\n",
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAUAAD__\r\n",
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
          + "Content-Length: 2\r\n\r\nhi"})
  void unusableH2cUpgradeIsIgnored(String upgrade) throws Exception {
    String head = "POST /echo HTTP/1.1\r\nHost: h\r\n" + upgrade;
    String response = RawHttp.exchange(fixture().port, head.endsWith("hi") ? head.replace("\r\n\r\nhi",
        "\r\nConnection: close\r\n\r\nhi") : head + "Connection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ");
  }
}
