package io.ringway.spi.upstream;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An endpoint crossing its healthy or unhealthy threshold, published as JSON on
 * {@link io.ringway.spi.Addresses#health(String)}. Only transitions are sent, not every probe.
 *
 * @param endpoint the endpoint's {@link Endpoint#address()}
 * @param healthy the state it is now in
 * @param reason why the last probe passed or failed ("connection refused", "timeout after 1000 ms")
 */
public record HealthTransition(String endpoint, boolean healthy, String reason) {

  public HealthTransition {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@code {"endpoint":"host:port","healthy":true,"reason":".."}}. */
  public JsonObject toJson() {
    return new JsonObject().put("endpoint", endpoint).put("healthy", healthy).put("reason", reason);
  }

  /** Reads {@link #toJson()}'s form. */
  public static HealthTransition fromJson(JsonObject json) {
    Boolean healthy = json.getBoolean("healthy");
    if (healthy == null) {
      throw new IllegalArgumentException("healthy: missing");
    }
    return new HealthTransition(json.getString("endpoint"), healthy, json.getString("reason", ""));
  }
}
