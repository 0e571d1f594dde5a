package io.ringway.demo.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Routes the demo HTTP backend: {@code GET /} greets, {@code POST /echo} echoes, nothing else. */
public final class DemoHttpHandler implements Handler<HttpServerRequest> {

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
      default -> plain(request.response().setStatusCode(404), "not found\n");
    }
  }

  private void greet(HttpServerRequest request) {
    plain(request.response(), greeting);
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
