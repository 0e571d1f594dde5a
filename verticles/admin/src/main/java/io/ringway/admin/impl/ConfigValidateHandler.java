package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.ConfigCheck;
import io.ringway.spi.message.ConfigChecked;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /config/validate} with a config document (YAML or JSON) as the body: judges it as
 * {@code ringway validate} does, with this node's overrides, and changes nothing. 200 whenever the check
 * ran: {@code {"valid":true,"errors":[]}} or {@code "valid":false} with every error and its path (a refused
 * document is the answer, not a failed request; scripts read {@code .valid}). The check reads the files
 * the document names, as startup would, so its messages say whether such a file is readable by the node.
 */
public final class ConfigValidateHandler implements Handler<RoutingContext> {

  private final EventBus bus;
  private final DeliveryOptions options;

  public ConfigValidateHandler(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setLocalOnly(true);
  }

  @Override
  public void handle(RoutingContext routing) {
    String text = routing.body().asString();
    bus.<ConfigChecked>request(Addresses.CONFIG_CHECK, new ConfigCheck(text == null ? "" : text), options)
        .onSuccess(reply -> AdminResponses.json(routing, 200, reply.body().toJson()))
        .onFailure(cause -> AdminResponses.error(routing, 503, "config not checked: " + cause.getMessage()));
  }
}
