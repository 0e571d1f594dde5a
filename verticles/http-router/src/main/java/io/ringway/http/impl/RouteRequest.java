package io.ringway.http.impl;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The parts of a request that routes look at; a plain value so {@link RouteTable} tests need no server. The query
 * of a server request is decoded only when a route asks for it: most route tables match on none, and decoding
 * allocates a map and strings for every request that has a query.
 */
public final class RouteRequest {

  private static final MultiMap NO_QUERY = MultiMap.caseInsensitiveMultiMap();

  private final String method;
  private final String host;
  private final String path;
  private final MultiMap headers;
  /** Where the query comes from when it is first asked for; null once decoded. */
  private HttpServerRequest source;
  /** The request-target the query is decoded from when first asked for (byte-level path); null once decoded. */
  private String target;
  private MultiMap query;

  /**
   * @param method upper-case method name
   * @param host the host without port, lower case; empty when the request has none
   * @param path the path without query
   * @param headers request headers (case-insensitive)
   * @param query decoded query parameters; parameters of a query that is not valid percent-encoding as they came
   */
  public RouteRequest(String method, String host, String path, MultiMap headers, MultiMap query) {
    this.method = method;
    this.host = host;
    this.path = path;
    this.headers = headers;
    this.query = query;
  }

  /**
   * A host as routes match it: lower case, without a trailing dot. {@code admin.example.com.} names the same host as
   * {@code admin.example.com} (a fully qualified name), and nginx serves it from that {@code server_name}: matched as
   * sent, it missed an {@code admin.example.com} route and its filters and took the next route to the same upstream.
   * The Host field itself goes upstream as sent.
   */
  static String routingHost(String host) {
    String lower = host.toLowerCase(java.util.Locale.ROOT);
    return lower.length() > 1 && lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  /** Reads what routing needs from a server request. */
  public static RouteRequest of(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    String host = authority == null ? "" : routingHost(authority.host());
    RouteRequest routed = new RouteRequest(request.method().name(), host, request.path(), request.headers(), null);
    routed.source = request;
    return routed;
  }

  /**
   * What routing needs of a request the byte-level path read: its query is decoded from {@code target} on first use,
   * by the same decoder Vert.x's {@code params()} uses, so a route sees the same parameters on both paths.
   */
  static RouteRequest ofTarget(String method, String host, String path, MultiMap headers, String target) {
    RouteRequest routed = new RouteRequest(method, host, path, headers, null);
    routed.target = target;
    return routed;
  }

  public String method() {
    return method;
  }

  public String host() {
    return host;
  }

  public String path() {
    return path;
  }

  public MultiMap headers() {
    return headers;
  }

  public MultiMap query() {
    if (source != null) {
      query = query(source.query(), source::params);
      source = null;
    } else if (target != null) {
      String uri = target;
      int mark = uri.indexOf('?');
      query = query(mark < 0 ? null : uri.substring(mark + 1),
          () -> HttpUtils.params(uri, StandardCharsets.UTF_8, false));
      target = null;
    }
    return query;
  }

  private static MultiMap query(String query, Supplier<MultiMap> params) {
    if (query == null) {
      return NO_QUERY;
    }
    try {
      return params.get();
    } catch (IllegalArgumentException badEscape) {
      // "%4g": Netty's decoder throws. RFC 9110 leaves the query to the origin, so the request is forwarded
      // as it came (as nginx and HAProxy do) and only a route matching on the query sees the raw form.
      MultiMap raw = MultiMap.caseInsensitiveMultiMap();
      for (String pair : query.split("&")) {
        int equals = pair.indexOf('=');
        raw.add(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
      }
      return raw;
    }
  }
}
