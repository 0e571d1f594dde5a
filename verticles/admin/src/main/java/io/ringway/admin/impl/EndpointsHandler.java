package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.RegisterEndpoint;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code POST /endpoints/<cluster>} with {@code {"host":..,"port":..,"weight":..}}: registers an endpoint
 * of an upstream cluster in the cluster-wide registry, owned by this node, so it goes when this node
 * leaves. 201 with the entry; 400 for a bad endpoint, 404 for an unknown cluster, 501 when standalone.
 */
public final class EndpointsHandler implements Handler<RoutingContext> {

  private final EventBus bus;
  private final DeliveryOptions options;

  public EndpointsHandler(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis()).setLocalOnly(true);
  }

  @Override
  public void handle(RoutingContext routing) {
    JsonObject endpoint;
    try {
      endpoint = routing.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      AdminResponses.error(routing, 400, "expected a JSON object {\"host\":..,\"port\":..,\"weight\":..}");
      return;
    }
    if (endpoint == null) {
      AdminResponses.error(routing, 400, "expected a JSON object {\"host\":..,\"port\":..,\"weight\":..}");
      return;
    }
    RegisterEndpoint request;
    try { // checked here: a RegisterEndpoint only ever holds a valid endpoint
      request = new RegisterEndpoint(routing.pathParam("cluster"), Endpoint.fromJson(endpoint));
    } catch (IllegalArgumentException e) {
      AdminResponses.error(routing, 400, e.getMessage());
      return;
    }
    bus.<EndpointRegistered>request(Addresses.CLUSTER_ENDPOINTS_REGISTER, request, options)
        .onSuccess(reply -> AdminResponses.json(routing, 201, reply.body().toJson()))
        .onFailure(cause -> {
          if (cause instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
            AdminResponses.error(routing, 501, "this node is not clustered: add the endpoint to its config file, or run it with --cluster");
          } else if (cause instanceof ReplyException reply && (reply.failureCode() == 400 || reply.failureCode() == 404)) {
            AdminResponses.error(routing, reply.failureCode(), reply.getMessage());
          } else {
            AdminResponses.error(routing, 503, "endpoint not registered: " + cause.getMessage());
          }
        });
  }
}
