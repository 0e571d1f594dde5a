package io.ringway.admin.impl;

import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dashboard's view of the Hazelcast cluster in one tick: this member's id, every member's, who owns
 * which tunnel peer and endpoint, and the cluster-wide totals of {@code /stats?scope=cluster} per verticle and
 * section ({@code listeners}, {@code routes}, {@code peers}..), each a sum by counter name over the section's
 * entries (histograms and shared states left out),
 * small enough to send every second whatever the number of routes and endpoints.
 *
 * @param self this member's id, or null when standalone
 * @param members every member's id, this one included; empty when standalone
 * @param tunPeers the last peer set the registry published on this node, or null
 * @param endpointOwners owner of each registered endpoint, by {@code cluster/address}; empty when unknown
 * @param stats the cluster's instances, or null when standalone
 */
record ClusterView(String self, List<String> members, TunPeers tunPeers, Map<String, String> endpointOwners,
                   CollectedStats stats) {

  private static final Set<String> NOT_SUMMED = Set.of("configVersion", "weight", "healthChecker", "instances", "port",
      "handshakeAgeMillis", "latencyMs", "maxConnections");

  static ClusterView standalone() {
    return new ClusterView(null, List.of(), null, Map.of(), null);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("clustered", self != null).put("self", self).put("members", new JsonArray(members));
    if (stats != null) {
      Map<String, List<JsonObject>> byVerticle = new TreeMap<>();
      for (InstanceStats instance : stats.instances()) {
        JsonObject counters = instance.counters();
        counters.remove("clusters");
        counters.put("inFlight", instance.inFlight());
        byVerticle.computeIfAbsent(instance.verticle(), name -> new ArrayList<>()).add(counters);
      }
      JsonObject totals = new JsonObject();
      byVerticle.forEach((verticle, instances) -> {
        JsonObject sums = new JsonObject();
        instances.forEach(counters -> sumSections(counters, sums));
        totals.put(verticle, sums.put("instances", instances.size()));
      });
      json.put("complete", stats.complete()).put("totals", totals);
    }
    return json;
  }

  /** Adds the owning member to each tunnel peer the registry knows by its public key. */
  void markOwners(JsonArray peers) {
    if (tunPeers == null) {
      return;
    }
    peers.forEach(entry -> {
      JsonObject peer = (JsonObject) entry;
      for (TunPeer known : tunPeers.peers()) {
        if (known.config().publicKey().equals(peer.getString("publicKey"))) {
          peer.put("owner", known.owner());
        }
      }
    });
  }

  /** Adds the owning member to each endpoint of each cluster of the summary, when the registry said. */
  void markEndpointOwners(JsonArray clusters) {
    if (endpointOwners.isEmpty()) {
      return;
    }
    clusters.forEach(entry -> {
      JsonObject cluster = (JsonObject) entry;
      cluster.getJsonArray("endpoints").forEach(endpoint -> {
        JsonObject json = (JsonObject) endpoint;
        String owner = endpointOwners.get(cluster.getString("cluster") + "/" + json.getString("address"));
        if (owner != null) {
          json.put("owner", owner);
        }
      });
    });
  }

  /** Top-level numbers as they are; each list or object one section, summed by counter name within it. */
  private static void sumSections(JsonObject counters, JsonObject sums) {
    counters.forEach(field -> {
      if (NOT_SUMMED.contains(field.getKey())) {
        return;
      }
      Object value = field.getValue();
      if (value instanceof Number number) {
        sums.put(field.getKey(), sums.getLong(field.getKey(), 0L) + number.longValue());
      } else if (value instanceof JsonObject || value instanceof JsonArray) {
        JsonObject section = sums.getJsonObject(field.getKey());
        if (section == null) {
          section = new JsonObject();
          sums.put(field.getKey(), section);
        }
        sum(new JsonObject().put("", value), section);
      }
    });
  }

  private static void sum(JsonObject object, JsonObject sums) {
    object.forEach(field -> {
      if (NOT_SUMMED.contains(field.getKey())) {
        return;
      }
      if (field.getValue() instanceof Number number) {
        sums.put(field.getKey(), sums.getLong(field.getKey(), 0L) + number.longValue());
      } else if (field.getValue() instanceof JsonObject nested) {
        sum(nested, sums);
      } else if (field.getValue() instanceof JsonArray array) {
        array.forEach(element -> {
          if (element instanceof JsonObject nested) {
            sum(nested, sums);
          }
        });
      }
    });
  }
}
