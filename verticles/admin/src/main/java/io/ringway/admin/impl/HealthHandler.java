package io.ringway.admin.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /healthz}: 200 while the process can serve HTTP at all. Deliberately asks nobody, so a
 * busy or wedged event bus never gets a live process restarted.
 */
public final class HealthHandler implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext routing) {
    routing.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end("ok");
  }
}
