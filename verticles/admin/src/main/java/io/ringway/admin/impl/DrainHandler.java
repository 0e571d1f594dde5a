package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.DrainStatus;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /drain}: asks the node to drain ({@link Addresses#NODE_DRAIN}) and answers 202 at once
 * with the deadline; from then on {@code /ready} answers 503 while in-flight work finishes.
 */
public final class DrainHandler implements Handler<RoutingContext> {

  private final EventBus bus;
  private final DeliveryOptions options;

  public DrainHandler(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setLocalOnly(true);
  }

  @Override
  public void handle(RoutingContext routing) {
    bus.<DrainStatus>request(Addresses.NODE_DRAIN, null, options)
        .onSuccess(reply -> AdminResponses.json(routing, 202, reply.body().toJson()))
        .onFailure(cause -> AdminResponses.error(routing, 503, "the node did not take the drain: " + cause.getMessage()));
  }
}
