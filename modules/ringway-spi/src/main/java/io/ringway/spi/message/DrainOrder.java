package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * Published on {@link io.ringway.spi.Addresses#DRAIN}: stop accepting and let in-flight work finish by
 * {@code deadline}, when the node stops anyway.
 *
 * @param deadline when the node stops whatever is still in flight
 */
public record DrainOrder(Instant deadline) {

  public DrainOrder {
    Objects.requireNonNull(deadline, "deadline");
  }

  /** {@code {"deadline":"<ISO instant>"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("deadline", deadline.toString());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static DrainOrder fromJson(JsonObject json) {
    return new DrainOrder(JsonFields.instant(json, "deadline"));
  }
}
