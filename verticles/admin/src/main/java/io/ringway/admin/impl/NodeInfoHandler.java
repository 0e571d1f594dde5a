package io.ringway.admin.impl;

import io.ringway.spi.NodeInfo;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code GET /info}: what the node says about itself, plus its uptime and the I/O path of every verticle
 * that reports one in its stats ({@code "ioPaths":{"tun-bridge":"io_uring"}}: the TUN bridge reads its
 * device through the ring or through the loop's epoll set), and per TUN device what is in force
 * ({@code "tunnels":{"ringway0":{"queues":2,"cipher":{"config":"auto","offers":[..],"reason":..}}}}, from the
 * tun-bridge instances' stats: one instance per queue); 503 when the node does not answer.
 */
public final class NodeInfoHandler implements Handler<RoutingContext> {

  private final NodeInfoClient node;
  private final StatsCollector stats;
  private final Clock clock;

  public NodeInfoHandler(NodeInfoClient node, StatsCollector stats, Clock clock) {
    this.node = node;
    this.stats = stats;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext routing) {
    node.fetch().onComplete(answer -> {
      if (answer.failed()) {
        AdminResponses.error(routing, 503, "node info unavailable: " + answer.cause().getMessage());
        return;
      }
      JsonObject info = toJson(answer.result());
      stats.collect().onComplete(collected -> AdminResponses.json(routing, 200,
          info.put("ioPaths", ioPaths(collected.result())).put("tunnels", tunnels(collected.result()))));
    });
  }

  private static JsonObject ioPaths(CollectedStats collected) {
    JsonObject paths = new JsonObject();
    for (InstanceStats instance : collected.instances()) {
      Object path = instance.counters().getValue("ioPath");
      if (path != null) {
        paths.put(instance.verticle(), path);
      }
    }
    return paths;
  }

  private static JsonObject tunnels(CollectedStats collected) {
    JsonObject tunnels = new JsonObject();
    for (InstanceStats instance : collected.instances()) {
      JsonObject counters = instance.counters();
      if (counters.getValue("device") instanceof String device && counters.getValue("cipher") instanceof JsonObject cipher) {
        tunnels.put(device, new JsonObject().put("queues", counters.getInteger("queues", 1)).put("cipher", cipher));
      }
    }
    return tunnels;
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
