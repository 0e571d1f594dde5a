package io.ringway.demo.impl;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The event-bus echo service: answers the HTTP router's request message
 * {@code {method, path, query, headers, body}} with {@code {status: 200, headers, body}}, the body unchanged
 * and the request's {@code content-type} (if any) as the reply's, so a {@code target: eventbus:} route echoes
 * like {@code POST /echo}. Anything but a JSON object fails with 400, which the router turns into the status.
 */
public final class EventBusEcho implements Handler<Message<Object>> {

  private static final String TEXT = "text/plain; charset=utf-8";

  @Override
  public void handle(Message<Object> message) {
    if (!(message.body() instanceof JsonObject request)) {
      message.fail(400, "expected the HTTP router's request message {method, path, query, headers, body}");
      return;
    }
    JsonObject requestHeaders = request.getJsonObject("headers", new JsonObject());
    // The router lower-cases header names; a repeated header arrives as an array, which no content-type is.
    Object contentType = requestHeaders.getValue("content-type");
    JsonObject headers = new JsonObject().put("content-type", contentType instanceof String type ? type : TEXT);
    message.reply(new JsonObject()
        .put("status", 200)
        .put("headers", headers)
        .put("body", request.getString("body", "")));
  }
}
