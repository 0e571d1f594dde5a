package io.ringway.http.impl;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The parts of a request that routes look at; a plain value so {@link RouteTable} tests need no server.
 *
 * @param method upper-case method name
 * @param host the host without port, lower case; empty when the request has none
 * @param path the path without query
 * @param headers request headers (case-insensitive)
 * @param query decoded query parameters
 */
public record RouteRequest(String method, String host, String path, MultiMap headers, MultiMap query) {

  /** Reads what routing needs from a server request. */
  public static RouteRequest of(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    String host = authority == null ? "" : authority.host().toLowerCase(java.util.Locale.ROOT);
    return new RouteRequest(request.method().name(), host, request.path(), request.headers(), request.params());
  }
}
