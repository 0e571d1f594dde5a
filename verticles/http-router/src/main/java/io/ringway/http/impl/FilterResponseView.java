package io.ringway.http.impl;

import io.ringway.spi.http.BodyTransform;
import io.ringway.spi.http.FilterResponse;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/** The downstream response head as filters see it, and the response side of a route's filter chain. */
final class FilterResponseView implements FilterResponse {

  private final HttpServerResponse response;

  private FilterResponseView(HttpServerResponse response) {
    this.response = response;
  }

  /**
   * Runs {@link HttpFilter#onResponse} of {@code filters}, last first (the filter nearest the upstream sees the
   * response first); the first body transform asked for is the one used.
   *
   * @return the body transform, or null
   */
  static BodyTransform apply(List<HttpFilter> filters, HttpServerRequest request, String route) {
    FilterRequestView requestView = new FilterRequestView(request, route);
    FilterResponseView responseView = new FilterResponseView(request.response());
    BodyTransform chosen = null;
    for (int i = filters.size() - 1; i >= 0; i--) {
      BodyTransform transform = filters.get(i).onResponse(requestView, responseView);
      if (transform != null && chosen == null) {
        chosen = transform;
      } else if (transform != null) {
        transform.close();
      }
    }
    return chosen;
  }

  @Override
  public int status() {
    return response.getStatusCode();
  }

  @Override
  public String header(String name) {
    return response.headers().get(name);
  }

  @Override
  public void setHeader(String name, String value) {
    response.headers().set(name, value);
  }

  @Override
  public void removeHeader(String name) {
    response.headers().remove(name);
  }
}
