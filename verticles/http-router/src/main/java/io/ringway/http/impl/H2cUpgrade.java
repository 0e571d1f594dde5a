package io.ringway.http.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;

/**
 * The h2c upgrade request of RFC 7540 §3.2 (RFC 9113 §3.1 deprecates it but Vert.x serves it). Vert.x answers
 * 400 to any {@code Upgrade: h2c} it cannot honour; RFC 9110 §7.8 lets a server ignore an Upgrade, and nginx
 * and HAProxy do, so one that is not usable is removed and the request served as HTTP/1.1.
 */
final class H2cUpgrade {

  private H2cUpgrade() {
  }

  /** False when the request asks for h2c but cannot be upgraded: no body, both Connection options, one valid HTTP2-Settings. */
  static boolean isUsable(HttpRequest request) {
    HttpHeaders headers = request.headers();
    if (!HeaderTokens.contains(headers, HttpHeaderNames.UPGRADE, "h2c")) {
      return true;
    }
    List<String> settings = headers.getAll("http2-settings");
    return settings.size() == 1 && isSettingsPayload(settings.get(0).trim())
        && HeaderTokens.contains(headers, HttpHeaderNames.CONNECTION, "upgrade")
        && HeaderTokens.contains(headers, HttpHeaderNames.CONNECTION, "http2-settings")
        && !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
  }

  /** Drops an h2c upgrade offer; Upgrade is hop-by-hop, so nothing else sees the difference. */
  static void remove(HttpHeaders headers) {
    if (HeaderTokens.contains(headers, HttpHeaderNames.UPGRADE, "h2c")) {
      headers.remove(HttpHeaderNames.UPGRADE);
    }
  }

  /**
   * base64url of whole 6-byte SETTINGS entries (RFC 7540 §3.2.1), as Vert.x's decoder needs, each value in its range
   * (RFC 9113 §6.5.2): Vert.x answers 400 to one out of it (an ENABLE_PUSH of 2, say).
   */
  private static boolean isSettingsPayload(String value) {
    byte[] payload;
    try {
      payload = Base64.getUrlDecoder().decode(value);
    } catch (IllegalArgumentException invalid) {
      return false;
    }
    if (payload.length % 6 != 0) {
      return false;
    }
    ByteBuffer entries = ByteBuffer.wrap(payload);
    while (entries.hasRemaining()) {
      int id = entries.getShort() & 0xffff;
      long setting = entries.getInt() & 0xffffffffL;
      boolean inRange = switch (id) {
        case 0x2 -> setting <= 1;
        case 0x4 -> setting <= Integer.MAX_VALUE;
        case 0x5 -> setting >= 16_384 && setting <= 16_777_215;
        default -> true;
      };
      if (!inRange) {
        return false;
      }
    }
    return true;
  }
}
