package io.ringway.http.impl;

import io.ringway.spi.http.FilterRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** A Vert.x request as the filters see it; header edits land in the headers the upstream request copies. */
final class FilterRequestView implements FilterRequest {

  private final HttpServerRequest request;
  private final String route;

  FilterRequestView(HttpServerRequest request, String route) {
    this.request = request;
    this.route = route;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return request.path();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public String clientAddress() {
    SocketAddress remote = request.remoteAddress();
    return remote == null || remote.hostAddress() == null ? "" : remote.hostAddress();
  }

  @Override
  public String route() {
    return route;
  }

  @Override
  public void setHeader(String name, String value) {
    request.headers().set(name, value);
  }

  @Override
  public void removeHeader(String name) {
    request.headers().remove(name);
  }
}
