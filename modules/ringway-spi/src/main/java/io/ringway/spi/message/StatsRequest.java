package io.ringway.spi.message;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Published on {@link io.ringway.spi.Addresses#STATS_COLLECT} (every data-plane instance sends its
 * {@link InstanceStats} to {@code replyTo}) and on {@link io.ringway.spi.Addresses#STATS_NODE} (every
 * member's admin sends its node's {@link CollectedStats} there). A publish has no reply address of its
 * own, so the answer address travels in the message.
 *
 * @param replyTo where the answers go; a fresh address per collection
 */
public record StatsRequest(String replyTo) {

  public StatsRequest {
    Objects.requireNonNull(replyTo, "replyTo");
    if (replyTo.isBlank()) {
      throw new IllegalArgumentException("replyTo: must not be blank");
    }
  }

  /** {@code {"replyTo":"<address>"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("replyTo", replyTo);
  }

  /**
   * How a data-plane instance answers a message on {@link io.ringway.spi.Addresses#STATS_COLLECT}: to the
   * collector's {@code replyTo} when it is a {@link StatsRequest}, else as the reply of a plain request.
   */
  public static void answer(Vertx vertx, Message<?> message, InstanceStats stats) {
    if (message.body() instanceof StatsRequest request) {
      vertx.eventBus().send(request.replyTo(), stats);
    } else if (message.replyAddress() != null) {
      message.reply(stats);
    }
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static StatsRequest fromJson(JsonObject json) {
    return new StatsRequest(JsonFields.string(json, "replyTo"));
  }
}
