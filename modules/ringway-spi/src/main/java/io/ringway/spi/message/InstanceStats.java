package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * One data-plane verticle instance's answer on {@link io.ringway.spi.Addresses#STATS_COLLECT}. What a
 * collector needs to know it has every answer, and to wait for a drain, is typed; the counters are
 * free-form by design, each verticle reports its own shape (see the stats contract of each verticle) and
 * the admin renders whatever it finds.
 *
 * @param verticle the verticle's name ({@code tcp-proxy}); instances of one verticle are summed
 * @param instance this instance's id, unique on the node
 * @param instances how many instances the verticle has on this node, so a collector knows how many to expect
 * @param inFlight connections or requests still open on this instance, what a drain waits to see at zero
 * @param counters everything else the instance reports; never contains the four fields above
 */
public record InstanceStats(String verticle, String instance, int instances, long inFlight, JsonObject counters) {

  private static final Set<String> TYPED = Set.of("verticle", "instance", "instances", "inFlight");

  /** Copies {@code counters}: records travel by reference, so no one may keep a mutable handle on them. */
  public InstanceStats {
    Objects.requireNonNull(verticle, "verticle");
    Objects.requireNonNull(instance, "instance");
    if (instances < 1) {
      throw new IllegalArgumentException("instances: " + instances + " must be at least 1");
    }
    counters = counters == null ? new JsonObject() : counters.copy();
    for (String field : TYPED) {
      if (counters.containsKey(field)) {
        throw new IllegalArgumentException("counters." + field + ": is a field of its own, not a counter");
      }
    }
  }

  /** A copy of the counters, free to change. */
  @Override
  public JsonObject counters() {
    return counters.copy();
  }

  /**
   * The flat form every verticle's stats contract documents and {@code /stats?format=json} shows:
   * {@code {"verticle":..,"instance":..,"instances":..,"inFlight":..}} followed by the counters' fields.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("verticle", verticle).put("instance", instance).put("instances", instances)
        .put("inFlight", inFlight);
    counters.copy().forEach(field -> json.put(field.getKey(), field.getValue()));
    return json;
  }

  /** Reads {@link #toJson()}'s form: every field but the four typed ones is a counter. */
  public static InstanceStats fromJson(JsonObject json) {
    String verticle = JsonFields.string(json, "verticle");
    String instance = JsonFields.string(json, "instance");
    int instances = JsonFields.intValue(json, "instances");
    long inFlight = JsonFields.longValue(json, "inFlight");
    JsonObject counters = json.copy();
    TYPED.forEach(counters::remove);
    return new InstanceStats(verticle, instance, instances, inFlight, counters);
  }
}
