package io.ringway.http.impl;

import io.ringway.spi.config.EventBusAction;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A route whose target is an event-bus service: the request goes out as one JSON message and the reply
 * comes back as the response. The body is aggregated here (bounded by the listener's body limit)
 * because a message is one value; this is the one place the router aggregates.
 */
final class EventBusExchange {

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final EventBusAction action;
  private final long timeoutMillis;
  private final long maxBody;
  private final ListenerStats listenerStats;
  private final Buffer body = Buffer.buffer();
  private boolean refused;

  EventBusExchange(Vertx vertx, HttpServerRequest request, Route route, long maxBody, ListenerStats listenerStats) {
    this.vertx = vertx;
    this.request = request;
    this.action = (EventBusAction) route.action();
    this.timeoutMillis = route.policy().timeout().toMillis();
    this.maxBody = maxBody;
    this.listenerStats = listenerStats;
  }

  void start() {
    request.handler(chunk -> {
      if (refused) {
        return;
      }
      if (maxBody > 0 && body.length() + chunk.length() > maxBody) {
        refused = true;
        listenerStats.bodyTooLarge++;
        LocalResponses.errorAndClose(request, 413, "request body too large");
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(cause -> {
      if (!refused && LocalResponses.isBadFraming(cause)) {
        listenerStats.badRequests++;
        LocalResponses.errorAndClose(request, 400, "bad request body framing");
      }
      refused = true;
    });
    request.endHandler(v -> {
      if (!refused) {
        send();
      }
    });
    LocalResponses.continueIfExpected(request);
  }

  private void send() {
    JsonObject headers = new JsonObject();
    for (String name : request.headers().names()) {
      java.util.List<String> values = request.headers().getAll(name);
      headers.put(name.toLowerCase(java.util.Locale.ROOT), values.size() == 1 ? values.get(0) : new JsonArray(values));
    }
    JsonObject message = new JsonObject().put("method", request.method().name()).put("path", request.path())
        .put("query", request.query()).put("headers", headers).put("body", body.toString());
    vertx.eventBus().request(action.address(), message, new DeliveryOptions().setSendTimeout(timeoutMillis))
        .onComplete(reply -> {
          if (reply.succeeded()) {
            respond(reply.result());
          } else {
            fail(reply.cause());
          }
        });
  }

  private void respond(Message<Object> reply) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      return;
    }
    Object value = reply.body();
    if (value instanceof JsonObject json) {
      response.setStatusCode(json.getInteger("status", 200));
      JsonObject headers = json.getJsonObject("headers", new JsonObject());
      for (Map.Entry<String, Object> header : headers) {
        response.putHeader(header.getKey(), String.valueOf(header.getValue()));
      }
      Object replyBody = json.getValue("body");
      response.end(replyBody == null ? "" : String.valueOf(replyBody));
    } else if (value instanceof Buffer buffer) {
      response.end(buffer);
    } else {
      response.end(value == null ? "" : value.toString());
    }
  }

  private void fail(Throwable cause) {
    if (cause instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case NO_HANDLERS -> LocalResponses.error(request, 503, "no event-bus handler for " + action.address());
        case TIMEOUT -> LocalResponses.error(request, 504, "event-bus service timed out");
        default -> LocalResponses.error(request, reply.failureCode() >= 400 && reply.failureCode() <= 599
            ? reply.failureCode() : 502, "event-bus service failed: " + reply.getMessage());
      }
    } else {
      LocalResponses.error(request, 502, "event-bus service failed");
    }
  }
}
