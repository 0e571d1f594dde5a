package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.ConfigPut;
import io.ringway.spi.message.ConfigStored;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code PUT /config}: a whole config document (YAML or JSON) for every node of the cluster. The node
 * that receives it validates it (400 listing every error), stores it as the next version by
 * compare-and-set (409 with the current version when another writer got there first, or when
 * {@code If-Match: <version>} names another one) and answers 200 {@code {"version":N}}; every node then
 * applies it. Always needs the admin token, even on loopback: one call rewrites the whole fleet.
 */
public final class ConfigUpdateHandler implements Handler<RoutingContext> {

  private final EventBus bus;
  private final boolean tokenConfigured;
  private final DeliveryOptions options;

  /**
   * @param tokenConfigured whether {@code admin.token} is set (and so already checked before this handler)
   * @param timeout how long validation and storing may take
   */
  public ConfigUpdateHandler(EventBus bus, boolean tokenConfigured, Duration timeout) {
    this.bus = bus;
    this.tokenConfigured = tokenConfigured;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setLocalOnly(true);
  }

  @Override
  public void handle(RoutingContext routing) {
    if (!tokenConfigured) {
      AdminResponses.error(routing, 403, "PUT /config changes the config of every node: set admin.token to use it");
      return;
    }
    Long ifVersion = null;
    String ifMatch = routing.request().getHeader(HttpHeaders.IF_MATCH);
    if (ifMatch != null) {
      try {
        ifVersion = Long.parseLong(ifMatch.strip().replace("\"", ""));
      } catch (NumberFormatException e) {
        AdminResponses.error(routing, 400, "If-Match: expected a config version number, got " + ifMatch);
        return;
      }
    }
    String text = routing.body().asString();
    bus.<ConfigStored>request(Addresses.CLUSTER_CONFIG_PUT, new ConfigPut(text == null ? "" : text, ifVersion), options)
        .onSuccess(reply -> AdminResponses.json(routing, 200, reply.body().toJson()))
        .onFailure(cause -> refuse(routing, cause));
  }

  private static void refuse(RoutingContext routing, Throwable cause) {
    if (!(cause instanceof ReplyException reply)) {
      AdminResponses.error(routing, 503, "config not stored: " + cause.getMessage());
    } else if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
      AdminResponses.error(routing, 501, "this node is not clustered: edit its config file instead, or run it with --cluster");
    } else if (reply.failureCode() == 400) {
      AdminResponses.json(routing, 400, new JsonObject(reply.getMessage()).put("error", "invalid config; nothing changed"));
    } else if (reply.failureCode() == 409) {
      AdminResponses.json(routing, 409, new JsonObject(reply.getMessage())
          .put("error", "the config changed meanwhile; read it again and retry with If-Match"));
    } else {
      AdminResponses.error(routing, 503, "config not stored: " + reply.getMessage());
    }
  }
}
