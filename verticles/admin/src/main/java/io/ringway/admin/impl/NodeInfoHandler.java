package io.ringway.admin.impl;

import io.ringway.spi.NodeInfo;
import io.vertx.core.Handler;
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
      if (answer.succeeded()) {
        AdminResponses.json(routing, 200, toJson(answer.result()));
      } else {
        AdminResponses.error(routing, 503, "node info unavailable: " + answer.cause().getMessage());
      }
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
