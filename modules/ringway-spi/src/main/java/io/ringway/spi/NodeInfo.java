package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * @param affinity {@code eventLoops.affinity} in force: {@code none}, {@code auto} or the CPU list
 * @param loops where each event loop runs, as the kernel reports it; empty until the loops were placed
 * @param warmup what the start-up warm-up did, or null when config asked for none (or it has not ended)
 */
public record NodeInfo(String version, String transport, int eventLoops, long configVersion,
                       Instant startedAt, NodePhase phase, String affinity, List<LoopPlacement> loops,
                       WarmupReport warmup) {

  public NodeInfo {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(affinity, "affinity");
    loops = List.copyOf(loops);
  }

  /** A node that did not warm up. */
  public NodeInfo(String version, String transport, int eventLoops, long configVersion, Instant startedAt,
                  NodePhase phase, String affinity, List<LoopPlacement> loops) {
    this(version, transport, eventLoops, configVersion, startedAt, phase, affinity, loops, null);
  }

  /** A node whose loops were not placed (yet). */
  public NodeInfo(String version, String transport, int eventLoops, long configVersion, Instant startedAt,
                  NodePhase phase) {
    this(version, transport, eventLoops, configVersion, startedAt, phase, "none", List.of());
  }

  /**
   * {@code {"version":..,"transport":..,"eventLoops":N,"configVersion":N,"startedAt":"<ISO instant>","phase":..,
   * "affinity":"auto","loops":[{"thread":..,"cpus":".."}],"warmup":{..}|null}} ({@link WarmupReport#toJson()}).
   */
  public JsonObject toJson() {
    JsonArray placements = new JsonArray();
    loops.forEach(loop -> placements.add(loop.toJson()));
    return new JsonObject().put("version", version).put("transport", transport).put("eventLoops", eventLoops)
        .put("configVersion", configVersion).put("startedAt", startedAt.toString()).put("phase", phase.name())
        .put("affinity", affinity).put("loops", placements).put("warmup", warmup == null ? null : warmup.toJson());
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static NodeInfo fromJson(JsonObject json) {
    List<LoopPlacement> loops = new ArrayList<>();
    JsonArray placements = json.getValue("loops") instanceof JsonArray array ? array : new JsonArray();
    for (int i = 0; i < placements.size(); i++) {
      if (!(placements.getValue(i) instanceof JsonObject placement)) {
        throw new IllegalArgumentException("loops[" + i + "]: expected an object");
      }
      loops.add(LoopPlacement.fromJson(placement));
    }
    String affinity = JsonFields.optionalString(json, "affinity");
    return new NodeInfo(JsonFields.string(json, "version"), JsonFields.string(json, "transport"),
        JsonFields.intValue(json, "eventLoops"), JsonFields.longValue(json, "configVersion"),
        JsonFields.instant(json, "startedAt"), JsonFields.enumValue(json, "phase", NodePhase.class),
        affinity == null ? "none" : affinity, loops,
        json.getValue("warmup") == null ? null : JsonFields.nested(json, "warmup", WarmupReport::fromJson));
  }
}
