package io.ringway.http.impl;

import io.ringway.spi.config.HeaderRewrite;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Header rules of a proxy hop (RFC 9110 §7.6): hop-by-hop removal, forwarding headers, rewrites. */
final class ProxyHeaders {

  static final String VIA = "1.1 ringway";
  static final String OVERLOADED = "x-ringway-overloaded";
  static final String REQUEST_ID = "x-request-id";
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "http2-settings");

  private ProxyHeaders() {
  }

  /** The headers to send upstream: the client's minus hop-by-hop ones, plus forwarding headers and rewrites. */
  static MultiMap upstreamRequest(HttpServerRequest request, HeaderRewrite rewrite) {
    MultiMap in = request.headers();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    Set<String> named = connectionTokens(in);
    for (Map.Entry<String, String> header : in) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      // HTTP/2 pseudo headers never reach here; "host" is sent as the request authority instead.
      if (!HOP_BY_HOP.contains(name) && !named.contains(name) && !name.equals("host")) {
        out.add(header.getKey(), header.getValue());
      }
    }
    String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (client != null) {
      String prior = in.get("x-forwarded-for");
      out.set("x-forwarded-for", prior == null ? client : prior + ", " + client);
    }
    out.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
    if (request.authority() != null) {
      out.set("x-forwarded-host", request.authority().toString());
    }
    if (!out.contains(REQUEST_ID)) {
      out.set(REQUEST_ID, requestId());
    }
    out.set("via", append(in.get("via"), request.version()));
    apply(rewrite, out);
    return out;
  }

  /** Copies a response's headers for the client: hop-by-hop ones dropped, {@code via} added, rewrites applied. */
  static void downstreamResponse(MultiMap in, MultiMap out, HeaderRewrite rewrite) {
    Set<String> named = connectionTokens(in);
    for (Map.Entry<String, String> header : in) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(name) && !named.contains(name)) {
        out.add(header.getKey(), header.getValue());
      }
    }
    out.set("via", in.contains("via") ? in.get("via") + ", " + VIA : VIA);
    apply(rewrite, out);
  }

  static void apply(HeaderRewrite rewrite, MultiMap headers) {
    rewrite.remove().forEach(headers::remove);
    rewrite.set().forEach(headers::set);
  }

  private static String append(String via, io.vertx.core.http.HttpVersion version) {
    String hop = (version == io.vertx.core.http.HttpVersion.HTTP_2 ? "2" : version == io.vertx.core.http.HttpVersion.HTTP_1_0
        ? "1.0" : "1.1") + " ringway";
    return via == null ? hop : via + ", " + hop;
  }

  /** Headers the {@code Connection} header names are hop-by-hop too (RFC 9110 §7.6.1). */
  private static Set<String> connectionTokens(MultiMap headers) {
    String connection = headers.get("connection");
    if (connection == null) {
      return Set.of();
    }
    java.util.HashSet<String> tokens = new java.util.HashSet<>();
    for (String token : connection.split(",")) {
      tokens.add(token.trim().toLowerCase(Locale.ROOT));
    }
    return tokens;
  }

  /** A random 128-bit id in UUID form; ThreadLocalRandom because SecureRandom may contend across loops. */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new java.util.UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
  }
}
