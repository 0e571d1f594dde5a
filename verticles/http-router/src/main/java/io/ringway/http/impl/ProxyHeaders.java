package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.ringway.spi.config.HeaderRewrite;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/** Header rules of a proxy hop (RFC 9110 §7.6): hop-by-hop removal, forwarding headers, rewrites. */
final class ProxyHeaders {

  static final String VIA = "1.1 ringway";
  static final String OVERLOADED = "x-ringway-overloaded";
  static final String REQUEST_ID = "x-request-id";
  /** Case-insensitive, so a header's name is looked up as it came, without a lower-cased copy per header. */
  /** The hop-by-hop fields (RFC 9110 §7.6.1 and HTTP/2's), lower case: the byte-level path compares bytes to them. */
  static final List<String> HOP_BY_HOP_NAMES = List.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "http2-settings");
  private static final Set<String> HOP_BY_HOP = caseInsensitive(HOP_BY_HOP_NAMES.toArray(String[]::new));

  private static final Set<String> KEEP_ALIVE = caseInsensitive("keep-alive");
  private static final Set<String> CLOSE = caseInsensitive("close");

  private static final Set<String> FORBIDDEN_TRAILERS = caseInsensitive("content-length", "content-type",
      "content-encoding", "content-range", "host", "authorization", "set-cookie", "cache-control", "expect",
      "max-forwards", "pragma", "range");

  private ProxyHeaders() {
  }

  /** The headers to send upstream: the client's minus hop-by-hop ones, plus forwarding headers and rewrites. */
  static MultiMap upstreamRequest(HttpServerRequest request, HeaderRewrite rewrite) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    upstreamRequest(request, rewrite, requestId(request, rewrite), out);
    return out;
  }

  /**
   * The x-request-id the upstream gets: the rewrite's, else the client's, else a new one; null when the rewrite
   * removes it. One per request, whichever try sends it.
   */
  static String requestId(HttpServerRequest request, HeaderRewrite rewrite) {
    if (!rewrite.set().isEmpty() || !rewrite.remove().isEmpty()) {
      for (var set : rewrite.set().entrySet()) {
        if (set.getKey().equalsIgnoreCase(REQUEST_ID)) {
          return set.getValue();
        }
      }
      for (String removed : rewrite.remove()) {
        if (removed.equalsIgnoreCase(REQUEST_ID)) {
          return null;
        }
      }
    }
    String client = request.getHeader(REQUEST_ID);
    boolean hopByHop = client != null && request.headers().contains("connection")
        && connectionTokens(request.headers()).contains(REQUEST_ID);
    return client != null && !hopByHop ? client : requestId();
  }

  /**
   * Adds the headers to send upstream to {@code out}, the upstream request's own headers (not a map copied into them:
   * one copy fewer per request): the client's minus hop-by-hop ones, plus forwarding headers, {@code requestId}
   * ({@link #requestId(HttpServerRequest, HeaderRewrite)}) and rewrites. The client's {@code Forwarded} (RFC 7239) is
   * dropped as its {@code x-forwarded-proto} and {@code -host} are replaced: Spring's ForwardedHeaderFilter and Vert.x
   * Web read it before those, so a client's {@code Forwarded: host=evil.example;proto=https} became the upstream's
   * idea of its own address (links, redirects, password-reset mails). A route may still set one.
   */
  static void upstreamRequest(HttpServerRequest request, HeaderRewrite rewrite, String requestId, MultiMap out) {
    MultiMap in = request.headers();
    Set<String> named = connectionTokens(in);
    // forEach, not an iterator: Vert.x's header maps hand an iterator's caller a wrapper object per header
    in.forEach((name, value) -> {
      // HTTP/2 pseudo headers never reach here; "host" is sent as the request authority instead.
      if (!HOP_BY_HOP.contains(name) && !named.contains(name) && !name.equalsIgnoreCase("host")
          && !name.equalsIgnoreCase("forwarded")
          && !(name.equalsIgnoreCase("expect") && value.equalsIgnoreCase("100-continue"))) {
        // 100-continue was answered here, before the body was read (RFC 9110 §10.1.1 lets a proxy do that).
        out.add(name, value);
      }
    });
    if (HeaderTokens.contains(in.getAll("te"), "trailers")) {
      // TE is hop-by-hop, but "trailers" says the recipient takes a trailer section, and the router relays them
      // (gRPC servers refuse a call without it, RFC 9113 8.2.2 allows exactly this value).
      out.set("te", "trailers");
    }
    MaxForwards.decrement(request, out);
    String client = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    if (client != null) {
      String prior = in.get("x-forwarded-for");
      out.set("x-forwarded-for", prior == null ? client : prior + ", " + client);
    }
    out.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
    if (request.authority() != null) {
      out.set("x-forwarded-host", request.authority().toString());
    }
    if (requestId != null && !out.contains(REQUEST_ID)) {
      out.set(REQUEST_ID, requestId);
    }
    out.set("via", append(in.get("via"), request.version()));
    apply(rewrite, out);
  }

  /** Fields a trailer section must not carry: framing, routing, authentication (RFC 9110 6.5.1) and hop-by-hop ones. */
  static boolean isForbiddenTrailer(String name) {
    return HOP_BY_HOP.contains(name) || FORBIDDEN_TRAILERS.contains(name);
  }

  /** Copies a response's headers for the client: hop-by-hop ones dropped, {@code via} added, rewrites applied. */
  static void downstreamResponse(MultiMap in, MultiMap out, HeaderRewrite rewrite) {
    Set<String> named = connectionTokens(in);
    in.forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name) && !named.contains(name)) {
        out.add(name, value);
      }
    });
    String via = in.get("via");
    out.set("via", via == null ? VIA : via + ", " + VIA);
    apply(rewrite, out);
  }

  static void apply(HeaderRewrite rewrite, MultiMap headers) {
    rewrite.remove().forEach(headers::remove);
    rewrite.set().forEach(headers::set);
  }

  private static String append(String via, HttpVersion version) {
    String hop = switch (version) {
      case HTTP_2 -> "2 ringway";
      case HTTP_1_0 -> "1.0 ringway";
      case HTTP_1_1 -> VIA;
    };
    return via == null ? hop : via + ", " + hop;
  }

  /** Headers the {@code Connection} header names are hop-by-hop too (RFC 9110 §7.6.1). */
  private static Set<String> connectionTokens(MultiMap headers) {
    if (headers.get("connection") == null) {
      return Set.of();
    }
    List<String> fields = headers.getAll("connection");
    if (fields.size() == 1) {
      // What nearly every upstream and client sends: no set of its own per request.
      if (fields.get(0).equalsIgnoreCase("keep-alive")) {
        return KEEP_ALIVE;
      }
      if (fields.get(0).equalsIgnoreCase("close")) {
        return CLOSE;
      }
    }
    Set<String> tokens = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String connection : fields) {
      for (String token : connection.split(",")) {
        tokens.add(token.trim());
      }
    }
    return tokens;
  }

  private static Set<String> caseInsensitive(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return Collections.unmodifiableSet(set);
  }

  /** A random 128-bit id in UUID form; ThreadLocalRandom because SecureRandom may contend across loops. */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new java.util.UUID(uuidHigh(random), uuidLow(random)).toString();
  }

  /** Writes a new {@link #requestId()} as its 36 bytes, without the String (the byte-level path's). */
  static void requestId(ByteBuf out) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    AsciiBytes.uuid(out, uuidHigh(random), uuidLow(random));
  }

  /** A random UUID's high bits with version 4 in them. */
  private static long uuidHigh(ThreadLocalRandom random) {
    return (random.nextLong() & ~0xF000L) | 0x4000L;
  }

  /** A random UUID's low bits with the IETF variant in them. */
  private static long uuidLow(ThreadLocalRandom random) {
    return (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
  }
}
