package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;

/**
 * Where one event-loop thread may run, as the kernel reports it after {@code eventLoops.affinity} was applied.
 *
 * @param thread the thread's name ({@code vert.x-eventloop-thread-0})
 * @param cpus its CPUs in the kernel's list syntax: {@code 1} when pinned, {@code 0-3} when not
 */
public record LoopPlacement(String thread, String cpus) {

  /** {@code {"thread":..,"cpus":".."}}. */
  public JsonObject toJson() {
    return new JsonObject().put("thread", thread).put("cpus", cpus);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static LoopPlacement fromJson(JsonObject json) {
    return new LoopPlacement(JsonFields.string(json, "thread"), JsonFields.string(json, "cpus"));
  }
}
