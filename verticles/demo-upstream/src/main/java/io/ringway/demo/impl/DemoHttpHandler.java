package io.ringway.demo.impl;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Routes the demo HTTP backend: {@code GET /} greets, {@code POST /echo} echoes, {@code GET /delay/<ms>}
 * greets after that many milliseconds (at most a minute: a slow backend for drain and timeout demos),
 * {@code GET /ws} upgrades to a WebSocket echo, nothing else.
 */
public final class DemoHttpHandler implements Handler<HttpServerRequest> {

  private static final String DELAY = "/delay/";
  private static final long MAX_DELAY_MILLIS = 60_000;

  private final String greeting;

  /** @param node the name the greeting gives, so a client behind a proxy sees who answered */
  public DemoHttpHandler(String node) {
    this.greeting = "Hello from Ringway demo upstream on node " + node + "\n";
  }

  @Override
  public void handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/" -> only(HttpMethod.GET, request, this::greet);
      case "/echo" -> only(HttpMethod.POST, request, HttpEcho::echo);
      case "/ws" -> only(HttpMethod.GET, request, WebSocketEcho::accept);
      case String path when path.startsWith(DELAY) -> only(HttpMethod.GET, request, this::greetLater);
      default -> plain(request.response().setStatusCode(404), "not found\n");
    }
  }

  private void greet(HttpServerRequest request) {
    plain(request.response(), greeting);
  }

  private void greetLater(HttpServerRequest request) {
    String millis = request.path().substring(DELAY.length());
    long delay = millis.matches("[0-9]{1,5}") ? Long.parseLong(millis) : -1;
    if (delay < 0 || delay > MAX_DELAY_MILLIS) {
      plain(request.response().setStatusCode(400), "expected /delay/<milliseconds from 0 to " + MAX_DELAY_MILLIS + ">\n");
      return;
    }
    Vertx.currentContext().owner().setTimer(Math.max(1, delay), fired -> greet(request));
  }

  private static void only(HttpMethod method, HttpServerRequest request, Handler<HttpServerRequest> handler) {
    if (request.method().equals(method)) {
      handler.handle(request);
    } else {
      plain(request.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, method.name()),
          "method not allowed\n");
    }
  }

  private static void plain(HttpServerResponse response, String body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end(body);
  }
}
