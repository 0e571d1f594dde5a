package io.ringway.http.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
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
    if (!headers.containsValue(HttpHeaderNames.UPGRADE, "h2c", true)) {
      return true;
    }
    List<String> settings = headers.getAll("http2-settings");
    return settings.size() == 1 && isBase64Url(settings.get(0).trim())
        && headers.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)
        && headers.containsValue(HttpHeaderNames.CONNECTION, "http2-settings", true)
        && !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
  }

  /** Drops an h2c upgrade offer; Upgrade is hop-by-hop, so nothing else sees the difference. */
  static void remove(HttpHeaders headers) {
    if (headers.containsValue(HttpHeaderNames.UPGRADE, "h2c", true)) {
      headers.remove(HttpHeaderNames.UPGRADE);
    }
  }

  private static boolean isBase64Url(String value) {
    try {
      Base64.getUrlDecoder().decode(value);
      return true;
    } catch (IllegalArgumentException invalid) {
      return false;
    }
  }
}
