package io.ringway.http.impl;

import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The facts of one request that its counters and the access log need, completed once: when its response
 * ends, when the client goes away first (status 0), or when a WebSocket upgrade turns it into a tunnel.
 * Requests the listener refused before routing (400/414/431) have one too, with no route.
 */
final class Outcome {

  final HttpServerRequest request;
  /** Null when no route matched. */
  final Route route;
  final long startNanos = System.nanoTime();
  final long startMillis = System.currentTimeMillis();
  private final Handler<Outcome> onFinish;
  /** The cluster the request was forwarded to, once picked. */
  UpstreamStats cluster;
  /** The endpoint of the last try, once one was made. */
  Endpoint upstream;
  /** The request's trace context with {@code http.tracing}, else null. */
  RequestTrace trace;
  /** The id sent upstream, or the client's. */
  String requestId;
  int status;
  long durationNanos;
  private boolean finished;

  /** An outcome that finishes when the request's response ends, or its connection closes first. */
  static Outcome track(HttpServerRequest request, Route route, Handler<Outcome> onFinish) {
    Outcome outcome = new Outcome(request, route, onFinish);
    HttpServerResponse response = request.response();
    // Vert.x also calls the end handler when the connection closes before the response ended.
    response.endHandler(v -> outcome.finish(response.ended() ? response.getStatusCode() : 0));
    return outcome;
  }

  private Outcome(HttpServerRequest request, Route route, Handler<Outcome> onFinish) {
    this.request = request;
    this.route = route;
    this.onFinish = onFinish;
    this.requestId = request.getHeader(ProxyHeaders.REQUEST_ID);
    if (route != null) {
      route.stats().inFlight++;
    }
  }

  /** Completes the outcome with {@code status} (0: the client went away); later calls do nothing. */
  void finish(int status) {
    if (finished) {
      return;
    }
    finished = true;
    this.status = status;
    this.durationNanos = System.nanoTime() - startNanos;
    if (route != null) {
      route.stats().inFlight--;
      route.stats().responses.record(status, durationNanos);
    }
    if (cluster != null) {
      cluster.responses.record(status, durationNanos);
    }
    if (trace != null) {
      trace.finish(this);
    }
    onFinish.handle(this);
  }
}
