package io.ringway.admin.impl;

import io.ringway.spi.NodeInfo;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code GET /info}: what the node says about itself, plus its uptime and the I/O path of every verticle
 * that reports one in its stats ({@code "ioPaths":{"tun-bridge":"io_uring"}}: the TUN bridge reads its
 * device through the ring or through the loop's epoll set), and what each TUN device runs with: its queues
 * (one tun-bridge instance each), the cipher handshakes offer and the offloads in force
 * ({@code "tunDevices":{"ringway0":{"ioPath":"io_uring","queues":2,"cipher":{"config":"auto","offers":[..],"reason":..},
 * "offloads":"auto","vnetHeader":true,"granted":["csum","tso4","tso6","uso4","uso6"],"udpGso":true,"udpGro":false}}}),
 * and the TLS engine in force on each TLS listener of the HTTP router, from its stats
 * ({@code "tlsListeners":{"secure":{"engine":"openssl","sni":true,"clientAuth":"none","protocols":["TLSv1.3","TLSv1.2"]}}});
 * 503 when the node does not answer.
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
          info.put("ioPaths", ioPaths(collected.result())).put("tunDevices", tunDevices(collected.result()))
              .put("tlsListeners", tlsListeners(collected.result()))));
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

  /** Per TUN device: its I/O path, queues, cipher and the offloads in force, from the bridge's stats. */
  private static JsonObject tunDevices(CollectedStats collected) {
    JsonObject devices = new JsonObject();
    for (InstanceStats instance : collected.instances()) {
      JsonObject counters = instance.counters();
      Object device = counters.getValue("device");
      if (device instanceof String name && counters.getValue("offloads") instanceof JsonObject offloads) {
        devices.put(name, new JsonObject()
            .put("ioPath", counters.getValue("ioPath"))
            .put("queues", counters.getInteger("queues", 1))
            .put("cipher", counters.getValue("cipher"))
            .put("offloads", offloads.getValue("config"))
            .put("vnetHeader", offloads.getValue("vnetHeader"))
            .put("granted", offloads.getValue("granted"))
            .put("udpGso", offloads.getValue("udpGso"))
            .put("udpGro", offloads.getValue("udpGro")));
      }
    }
    return devices;
  }

  /** Per TLS listener of the HTTP router: the engine running its handshakes, whether SNI picks, client auth. */
  private static JsonObject tlsListeners(CollectedStats collected) {
    JsonObject listeners = new JsonObject();
    for (InstanceStats instance : collected.instances()) {
      if (instance.verticle().equals("http-router")
          && instance.counters().getValue("listeners") instanceof JsonArray array) {
        for (Object entry : array) {
          if (entry instanceof JsonObject listener && listener.getValue("tls") instanceof JsonObject tls) {
            listeners.put(listener.getString("listener"), new JsonObject().put("engine", tls.getValue("engine"))
                .put("sni", tls.getValue("sni")).put("clientAuth", tls.getValue("clientAuth"))
                .put("protocols", tls.getValue("protocols")));
          }
        }
      }
    }
    return listeners;
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
        .put("uptimeSeconds", uptimeSeconds)
        .put("affinity", info.affinity())
        .put("loops", info.toJson().getJsonArray("loops"))
        .put("warmup", info.warmup() == null ? null : info.warmup().toJson());
  }
}
