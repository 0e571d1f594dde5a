package io.ringway.spi.upstream;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An endpoint crossing its healthy or unhealthy threshold, published on
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

  /**
   * Reads {@link #toJson()}'s form; a missing reason is empty. Throws {@link IllegalArgumentException}
   * naming the bad field.
   */
  public static HealthTransition fromJson(JsonObject json) {
    String reason = JsonFields.optionalString(json, "reason");
    return new HealthTransition(JsonFields.string(json, "endpoint"), JsonFields.bool(json, "healthy"),
        reason == null ? "" : reason);
  }
}
