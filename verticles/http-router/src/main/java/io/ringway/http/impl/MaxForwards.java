package io.ringway.http.impl;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * RFC 9110 §7.6.2: a proxy that receives a TRACE or OPTIONS request with {@code Max-Forwards: 0} MUST NOT
 * forward it and MUST answer as its final recipient; with a larger value it MUST forward one less. Other
 * methods' Max-Forwards is passed on as it came (the RFC lets a recipient ignore it).
 */
final class MaxForwards {

  /** The methods a proxy offers when it answers OPTIONS itself; TRACE is not among them (no request echo). */
  static final String ALLOW = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

  private MaxForwards() {
  }

  /** Whether this is a TRACE or OPTIONS request that may go no further. */
  static boolean isLastHop(HttpServerRequest request) {
    return applies(request) && value(request.headers()) == 0;
  }

  /** Answers a request {@link #isLastHop} as its final recipient. */
  static void answer(HttpServerRequest request) {
    // TRACE would echo the request, cookies and credentials included (cross-site tracing): refused as a method.
    request.response().setStatusCode(request.method() == HttpMethod.OPTIONS ? 200 : 405)
        .putHeader(HttpHeaders.ALLOW, ALLOW).putHeader("via", ProxyHeaders.VIA).end();
  }

  /** Sets the forwarded copy one below the received value, for TRACE and OPTIONS. */
  static void decrement(HttpServerRequest request, MultiMap upstreamHeaders) {
    long hops = applies(request) ? value(request.headers()) : -1;
    if (hops > 0) {
      upstreamHeaders.set("max-forwards", Long.toString(hops - 1));
    }
  }

  private static boolean applies(HttpServerRequest request) {
    return request.method() == HttpMethod.OPTIONS || request.method() == HttpMethod.TRACE;
  }

  /** The field's value, or -1 when absent or not a decimal integer (then it is ignored). */
  private static long value(MultiMap headers) {
    String field = headers.get("max-forwards");
    if (field == null || field.isEmpty() || field.length() > 18) {
      return -1;
    }
    for (int i = 0; i < field.length(); i++) {
      if (field.charAt(i) < '0' || field.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(field);
  }
}
