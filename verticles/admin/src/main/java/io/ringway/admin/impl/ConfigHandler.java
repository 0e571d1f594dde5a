package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** {@code GET /config}: the config in force on this node, its version and where it came from; secrets masked. */
public final class ConfigHandler implements Handler<RoutingContext> {

  private final EventBus bus;
  private final DeliveryOptions options;

  public ConfigHandler(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setLocalOnly(true);
  }

  /** The node's config in force, from its config verticle. */
  public Future<ConfigSnapshot> current() {
    return bus.request(Addresses.CONFIG_CURRENT, null, options).compose(reply -> reply.body() instanceof ConfigSnapshot snapshot
        ? Future.succeededFuture(snapshot)
        : Future.failedFuture(Addresses.CONFIG_CURRENT + " replied " + reply.body() + ", not a config snapshot"));
  }

  @Override
  public void handle(RoutingContext routing) {
    current().onSuccess(snapshot -> AdminResponses.json(routing, 200, new JsonObject()
            .put("version", snapshot.version())
            .put("source", snapshot.source())
            .put("config", ConfigJson.toJson(snapshot.config()))))
        .onFailure(cause -> AdminResponses.error(routing, 503, "config unavailable: " + cause.getMessage()));
  }
}
