package io.ringway.admin.impl;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /clusters}: every upstream cluster of the config in force with its load balancer and
 * limits, and each endpoint's health, ejection and connections as the data-plane instances see them
 * (summed over instances; an endpoint is healthy when every instance that checks it says so).
 */
public final class ClustersHandler implements Handler<RoutingContext> {

  private static final String[] SUMMED = {"activeConnections", "pendingConnects", "totalConnections", "connectFailures"};

  private final ConfigHandler config;
  private final StatsCollector stats;

  public ClustersHandler(ConfigHandler config, StatsCollector stats) {
    this.config = config;
    this.stats = stats;
  }

  @Override
  public void handle(RoutingContext routing) {
    Future.all(config.current(), stats.collect()).onSuccess(both -> {
      Map<String, JsonObject> clusters = new LinkedHashMap<>();
      ConfigSnapshot snapshot = both.resultAt(0);
      for (ClusterConfig cluster : snapshot.config().clusters()) {
        clusters.put(cluster.name(), new JsonObject()
            .put("name", cluster.name())
            .put("loadBalancer", cluster.loadBalancer())
            .put("limits", ConfigJson.toJson(cluster.limits()))
            .put("usedBy", new JsonArray())
            .put("endpoints", new JsonObject()));
      }
      CollectedStats collected = both.resultAt(1);
      for (InstanceStats instance : collected.instances()) {
        instance.counters().getJsonArray("clusters", new JsonArray()).forEach(entry -> merge(clusters, instance.verticle(),
            (JsonObject) entry));
      }
      JsonArray answer = new JsonArray();
      clusters.values().forEach(cluster -> {
        JsonObject endpoints = (JsonObject) cluster.remove("endpoints");
        answer.add(cluster.put("endpoints", new JsonArray(endpoints.stream().map(Map.Entry::getValue).toList())));
      });
      AdminResponses.json(routing, 200, new JsonObject().put("complete", collected.complete()).put("clusters", answer));
    }).onFailure(cause -> AdminResponses.error(routing, 503, "clusters unavailable: " + cause.getMessage()));
  }

  private static void merge(Map<String, JsonObject> clusters, String verticle, JsonObject seen) {
    JsonObject cluster = clusters.get(seen.getString("cluster"));
    if (cluster == null) {
      return; // a cluster of an older config an instance still drains
    }
    if (!cluster.getJsonArray("usedBy").contains(verticle)) {
      cluster.getJsonArray("usedBy").add(verticle);
    }
    JsonObject endpoints = cluster.getJsonObject("endpoints");
    seen.getJsonArray("endpoints", new JsonArray()).forEach(entry -> {
      JsonObject endpoint = (JsonObject) entry;
      String address = endpoint.getString("address");
      JsonObject merged = endpoints.getJsonObject(address);
      if (merged == null) {
        merged = new JsonObject().put("address", address).put("weight", endpoint.getValue("weight"))
            .put("healthy", true).put("ejected", false);
        for (String counter : SUMMED) {
          merged.put(counter, 0L);
        }
        endpoints.put(address, merged);
      }
      merged.put("healthy", merged.getBoolean("healthy") && endpoint.getBoolean("healthy", true));
      merged.put("ejected", merged.getBoolean("ejected") || endpoint.getBoolean("ejected", false));
      for (String counter : SUMMED) {
        merged.put(counter, merged.getLong(counter) + endpoint.getLong(counter, 0L));
      }
    });
  }
}
