package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;

/**
 * What a node's start-up warm-up ({@code warmup} in config) did, as {@link NodeInfo} reports it.
 *
 * @param millis how long the warm-up's load ran
 * @param requests requests and TCP round trips answered during it
 * @param failures warm-up connections that failed
 * @param compileMillis JIT compile time meanwhile (all compiler threads), or -1 when the JVM does not measure it
 * @param settled true when it ended because the JIT settled, false when {@code warmup.maxDuration} ended it
 * @param skipped why the warm-up did not run (the node then started cold), or null when it ran
 */
public record WarmupReport(long millis, long requests, long failures, long compileMillis, boolean settled,
                           String skipped) {

  /** A warm-up that could not run. */
  public static WarmupReport skipped(String why) {
    return new WarmupReport(0, 0, 0, -1, false, why);
  }

  /** One line for the log. */
  public String describe() {
    if (skipped != null) {
      return "warm-up: skipped, the node starts cold: " + skipped;
    }
    return String.format("warm-up: %d requests in %.1f s (%d failed), %s; %s", requests, millis / 1000.0, failures,
        compileMillis < 0 ? "JIT time not measured" : "JIT compiled for " + compileMillis + " ms",
        settled ? "the JIT settled" : "maxDuration reached");
  }

  /** {@code {"millis":N,"requests":N,"failures":N,"compileMillis":N,"settled":bool,"skipped":".."|null}}. */
  public JsonObject toJson() {
    return new JsonObject().put("millis", millis).put("requests", requests).put("failures", failures)
        .put("compileMillis", compileMillis).put("settled", settled).put("skipped", skipped);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static WarmupReport fromJson(JsonObject json) {
    return new WarmupReport(JsonFields.longValue(json, "millis"), JsonFields.longValue(json, "requests"),
        JsonFields.longValue(json, "failures"), JsonFields.longValue(json, "compileMillis"),
        JsonFields.bool(json, "settled"), JsonFields.optionalString(json, "skipped"));
  }
}
