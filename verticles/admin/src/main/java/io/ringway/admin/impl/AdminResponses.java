package io.ringway.admin.impl;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON answers shared by the handlers, so every error has the same shape: {@code {"error": "..."}}. */
final class AdminResponses {

  private AdminResponses() {
  }

  static void json(RoutingContext routing, int status, JsonObject body) {
    routing.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }

  static void error(RoutingContext routing, int status, String message) {
    json(routing, status, new JsonObject().put("error", message));
  }
}
