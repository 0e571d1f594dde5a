package io.ringway.http.impl;

import io.ringway.spi.config.HeaderRewrite;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;

/** Relays an upstream's 103 Early Hints to the client (RFC 9110 §15.2: a proxy forwards the 1xx it did not ask for). */
final class EarlyHints {

  private EarlyHints() {
  }

  /**
   * Writes {@code hints} as a 103, hop-by-hop fields dropped and {@code via} added, unless the client speaks
   * HTTP/1.0 (RFC 9110 §15.2: no 1xx to it) or the final head already left.
   */
  static void forward(HttpServerRequest request, MultiMap hints) {
    HttpServerResponse response = request.response();
    if (request.version() == HttpVersion.HTTP_1_0 || response.headWritten() || response.closed()) {
      return;
    }
    MultiMap relayed = MultiMap.caseInsensitiveMultiMap();
    ProxyHeaders.downstreamResponse(hints, relayed, HeaderRewrite.NONE);
    // Vert.x's HTTP/2 writeEarlyHints takes names as given, and HTTP/2 wants them in lower case.
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    relayed.forEach(h -> out.add(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    response.writeEarlyHints(out);
  }
}
