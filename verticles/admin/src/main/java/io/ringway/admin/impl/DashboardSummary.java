package io.ringway.admin.impl;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows, as one JSON object built from what the node, its config and its verticle
 * instances said in one tick: instances merged per verticle ({@link InstanceMerge}), upstream clusters
 * in config order with their load balancer and merged endpoints, and the cluster's members and totals.
 * Counters stay cumulative: the page turns two consecutive summaries into rates and windowed quantiles,
 * so a summary is correct on its own and a page that missed one loses nothing.
 */
final class DashboardSummary {

  private DashboardSummary() {
  }

  /**
   * @param node the node's answer, or null when it did not answer in time
   * @param config the config in force, or null when the config verticle did not answer
   * @param stats this node's instances
   * @param cluster the cluster's membership and, when clustered, its instances; never null
   * @param loops this node's event loops ({@link EventLoops#describe})
   */
  static JsonObject of(Instant at, NodeInfo node, ConfigSnapshot config, CollectedStats stats, ClusterView cluster,
                       JsonArray loops) {
    Map<String, JsonObject> verticles = byVerticle(stats.instances());
    JsonObject summary = new JsonObject()
        .put("at", at.toEpochMilli())
        .put("node", node(at, node, stats, loops))
        .put("verticles", new JsonObject(new LinkedHashMap<>(verticles)))
        .put("clusters", clusters(config, stats.instances()))
        .put("cluster", cluster.toJson());
    JsonObject tun = verticles.get("tun-bridge");
    if (tun != null) {
      cluster.markOwners(tun.getJsonArray("peers", new JsonArray()));
    }
    cluster.markEndpointOwners(summary.getJsonArray("clusters"));
    return summary;
  }

  private static JsonObject node(Instant at, NodeInfo node, CollectedStats stats, JsonArray loops) {
    JsonObject json = new JsonObject().put("complete", stats.complete()).put("loops", loops);
    JsonArray instances = new JsonArray();
    JsonObject ioPaths = new JsonObject();
    boolean draining = false;
    for (InstanceStats instance : stats.instances()) {
      JsonObject counters = instance.counters();
      instances.add(new JsonObject().put("verticle", instance.verticle()).put("instance", instance.instance())
          .put("thread", counters.getString("thread")).put("inFlight", instance.inFlight()));
      draining |= counters.getBoolean("draining", false);
      if (counters.getValue("ioPath") != null) {
        ioPaths.put(instance.verticle(), counters.getValue("ioPath"));
      }
    }
    json.put("instances", instances).put("ioPaths", ioPaths).put("draining", draining);
    if (node == null) {
      return json.put("phase", "UNKNOWN");
    }
    return json.put("version", node.version()).put("transport", node.transport()).put("eventLoops", node.eventLoops())
        .put("configVersion", node.configVersion()).put("phase", node.phase().name())
        .put("uptimeSeconds", Math.max(0, Duration.between(node.startedAt(), at).toSeconds()));
  }

  private static Map<String, JsonObject> byVerticle(List<InstanceStats> instances) {
    Map<String, List<JsonObject>> grouped = new LinkedHashMap<>();
    for (InstanceStats instance : instances) {
      JsonObject counters = instance.counters();
      counters.remove("thread");
      counters.remove("clusters"); // shown once, merged over every verticle, under "clusters"
      counters.put("instances", instance.instances()).put("inFlight", instance.inFlight());
      grouped.computeIfAbsent(instance.verticle(), name -> new ArrayList<>()).add(counters);
    }
    Map<String, JsonObject> merged = new LinkedHashMap<>();
    grouped.forEach((verticle, counters) -> merged.put(verticle, InstanceMerge.merge(counters)));
    return merged;
  }

  /** The config's clusters, in its order, each with what the instances see of its endpoints. */
  private static JsonArray clusters(ConfigSnapshot config, List<InstanceStats> instances) {
    Map<String, List<JsonObject>> seen = new LinkedHashMap<>();
    Map<String, JsonArray> usedBy = new LinkedHashMap<>();
    for (InstanceStats instance : instances) {
      instance.counters().getJsonArray("clusters", new JsonArray()).forEach(entry -> {
        JsonObject cluster = (JsonObject) entry;
        String name = cluster.getString("cluster");
        seen.computeIfAbsent(name, n -> new ArrayList<>()).add(cluster);
        JsonArray users = usedBy.computeIfAbsent(name, n -> new JsonArray());
        if (!users.contains(instance.verticle())) {
          users.add(instance.verticle());
        }
      });
    }
    JsonArray answer = new JsonArray();
    List<String> names = new ArrayList<>();
    Map<String, String> policies = new LinkedHashMap<>();
    if (config != null) {
      for (ClusterConfig cluster : config.config().clusters()) {
        names.add(cluster.name());
        policies.put(cluster.name(), cluster.loadBalancer());
      }
    }
    seen.keySet().stream().filter(name -> !names.contains(name)).forEach(names::add);
    for (String name : names) {
      JsonObject merged = InstanceMerge.merge(seen.getOrDefault(name, List.of()));
      merged.remove("healthChecker");
      answer.add(merged.put("cluster", name).put("loadBalancer", policies.get(name))
          .put("usedBy", usedBy.getOrDefault(name, new JsonArray()))
          .put("endpoints", merged.getJsonArray("endpoints", new JsonArray())));
    }
    return answer;
  }
}
