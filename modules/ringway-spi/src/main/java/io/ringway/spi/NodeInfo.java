package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * What a node says about itself on {@link Addresses#NODE_INFO}.
 *
 * @param version Ringway's version
 * @param transport the transport the event loops really run on (probed, not the configured name)
 * @param eventLoops number of event-loop threads
 * @param configVersion version of the config in force
 * @param startedAt when the node started
 * @param phase starting, ready or draining
 */
public record NodeInfo(String version, String transport, int eventLoops, long configVersion,
                       Instant startedAt, NodePhase phase) {

  public NodeInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(phase, "phase");
  }

  /** {@code {"version":..,"transport":..,"eventLoops":N,"configVersion":N,"startedAt":"<ISO instant>","phase":..}}. */
  public JsonObject toJson() {
    return new JsonObject().put("version", version).put("transport", transport).put("eventLoops", eventLoops)
        .put("configVersion", configVersion).put("startedAt", startedAt.toString()).put("phase", phase.name());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static NodeInfo fromJson(JsonObject json) {
    return new NodeInfo(JsonFields.string(json, "version"), JsonFields.string(json, "transport"),
        JsonFields.intValue(json, "eventLoops"), JsonFields.longValue(json, "configVersion"),
        JsonFields.instant(json, "startedAt"), JsonFields.enumValue(json, "phase", NodePhase.class));
  }
}
