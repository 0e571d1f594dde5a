package io.ringway.spi.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The answers one collection gathered: a node's instances ({@link io.ringway.spi.StatsCollector}), and
 * what each member's admin sends back on {@link io.ringway.spi.Addresses#STATS_NODE} for cluster-wide stats.
 *
 * @param instances every instance that answered
 * @param complete false when the timeout cut the collection short
 */
public record CollectedStats(List<InstanceStats> instances, boolean complete) {

  public CollectedStats {
    instances = List.copyOf(Objects.requireNonNull(instances, "instances"));
  }

  /**
   * Connections and requests still open, summed over instances: the {@code inFlight} every data-plane
   * verticle reports, which a drain waits to see at zero.
   */
  public long inFlight() {
    return instances.stream().mapToLong(InstanceStats::inFlight).sum();
  }

  /** {@code {"complete":bool,"instances":[InstanceStats JSON,..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    instances.forEach(instance -> array.add(instance.toJson()));
    return new JsonObject().put("complete", complete).put("instances", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static CollectedStats fromJson(JsonObject json) {
    return new CollectedStats(JsonFields.list(json, "instances", InstanceStats::fromJson), JsonFields.bool(json, "complete"));
  }
}
