package io.ringway.admin.impl;

import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ready}: 200 only in {@link NodePhase#READY}, so load balancers stop sending traffic
 * while the node starts or drains; 503 with phase "unknown" when the node does not answer.
 */
public final class ReadyHandler implements Handler<RoutingContext> {

  private final NodeInfoClient node;

  public ReadyHandler(NodeInfoClient node) {
    this.node = node;
  }

  @Override
  public void handle(RoutingContext routing) {
    node.fetch().onComplete(answer -> {
      String phase = phase(answer);
      boolean ready = NodePhase.READY.name().equals(phase);
      AdminResponses.json(routing, ready ? 200 : 503, new JsonObject().put("ready", ready).put("phase", phase));
    });
  }

  private static String phase(AsyncResult<NodeInfo> answer) {
    return answer.succeeded() ? answer.result().phase().name() : "unknown";
  }
}
