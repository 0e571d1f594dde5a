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

  /** The decoding path's request; null on the byte-level path, whose request is described by {@link #bytes}. */
  final HttpServerRequest request;
  /** What the access log says of a byte-level request; null on the decoding path, or without an access log. */
  final ByteRequestFacts bytes;
  /** Bytes written to the client, on the byte-level path. */
  long bytesOut;
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
    this(request, null, route, onFinish);
    this.requestId = request.getHeader(ProxyHeaders.REQUEST_ID);
  }

  private Outcome(HttpServerRequest request, ByteRequestFacts bytes, Route route, Handler<Outcome> onFinish) {
    this.request = request;
    this.bytes = bytes;
    this.route = route;
    this.onFinish = onFinish;
    if (route != null) {
      route.stats().inFlight++;
    }
  }

  /** A byte-level request's outcome, which its exchange finishes; {@code bytes} null without an access log. */
  static Outcome forBytes(ByteRequestFacts bytes, Route route, Handler<Outcome> onFinish) {
    return new Outcome(null, bytes, route, onFinish);
  }

  /** The facts of a byte-level request that its access-log line needs, read from its head while it was in hand. */
  record ByteRequestFacts(String remote, String method, String uri, String path, String host, String userAgent,
                          long bytesIn) {
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
