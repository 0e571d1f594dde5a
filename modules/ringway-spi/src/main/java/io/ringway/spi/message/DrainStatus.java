package io.ringway.spi.message;

import io.ringway.spi.NodePhase;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * The reply of {@link io.ringway.spi.Addresses#NODE_DRAIN}, given as soon as the drain started (not when
 * it ends); {@code POST /drain} answers it as is.
 *
 * @param phase the node's phase now ({@link NodePhase#DRAINING})
 * @param deadline when the node stops whatever is still in flight
 */
public record DrainStatus(NodePhase phase, Instant deadline) {

  public DrainStatus {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** {@code {"phase":"DRAINING","deadline":"<ISO instant>"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("phase", phase.name()).put("deadline", deadline.toString());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static DrainStatus fromJson(JsonObject json) {
    return new DrainStatus(JsonFields.enumValue(json, "phase", NodePhase.class), JsonFields.instant(json, "deadline"));
  }
}
