package io.ringway.admin.impl;

import io.ringway.spi.NodeInfo;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/** {@code GET /info}: what the node says about itself, plus its uptime; 503 when it does not answer. */
public final class NodeInfoHandler implements Handler<RoutingContext> {

  private final NodeInfoClient node;
  private final Clock clock;

  public NodeInfoHandler(NodeInfoClient node, Clock clock) {
    this.node = node;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext routing) {
    node.fetch().onComplete(answer -> {
      int status = answer.succeeded() ? 200 : 503;
      JsonObject body = answer.succeeded()
          ? toJson(answer.result())
          : new JsonObject().put("error", "node info unavailable: " + answer.cause().getMessage());
      routing.response()
          .setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(body.encode());
    });
  }

  private JsonObject toJson(NodeInfo info) {
    // A clock step backwards must not show a negative uptime.
    long uptimeSeconds = Math.max(0, Duration.between(info.startedAt(), clock.instant()).toSeconds());
    return new JsonObject()
        .put("version", info.version())
        .put("transport", info.transport())
        .put("eventLoops", info.eventLoops())
        .put("configVersion", info.configVersion())
        .put("phase", info.phase().name())
        .put("startedAt", info.startedAt().toString())
        .put("uptimeSeconds", uptimeSeconds);
  }
}
