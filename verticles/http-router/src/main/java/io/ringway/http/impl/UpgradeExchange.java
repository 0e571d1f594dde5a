package io.ringway.http.impl;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket upgrade passed through: the client's handshake goes to an endpoint (the router neither
 * answers nor checks it), and on the endpoint's 101 both connections become one byte tunnel, piped both
 * ways under backpressure until either side closes. Any other answer is relayed as a plain response.
 * Connect failures move on to another endpoint within the route's retries; nothing is retried once the
 * handshake was sent. The route timeout bounds the wait for the handshake's answer, not the tunnel.
 */
final class UpgradeExchange {

  private final RouterContext router;
  private final HttpServerRequest request;
  private final Route route;
  private final UpstreamCluster cluster;
  private final UpstreamStats upstreamStats;
  private final Outcome outcome;
  private final String uri;
  private final HostAndPort authority;
  private final MultiMap headers;
  private final List<Endpoint> tried = new ArrayList<>();
  private EndpointLease lease;
  private HttpClientRequest upstream;
  private long deadline = -1;
  private boolean finished;

  UpgradeExchange(RouterContext router, HttpServerRequest request, Route route, UpstreamCluster cluster,
                  UpstreamStats upstreamStats, Outcome outcome) {
    this.router = router;
    this.request = request;
    this.route = route;
    this.cluster = cluster;
    this.upstreamStats = upstreamStats;
    this.outcome = outcome;
    ForwardAction forward = (ForwardAction) route.action();
    this.uri = ProxyExchange.rewriteUri(request, route, forward.prefixRewrite());
    this.authority = ProxyExchange.upstreamAuthority(request, forward);
    this.headers = ProxyHeaders.upstreamRequest(request, route.policy().requestHeaders());
    // Hop-by-hop in general, but the handshake is exactly what this hop must pass on.
    headers.set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
        .set(HttpHeaders.UPGRADE, request.getHeader(HttpHeaders.UPGRADE));
    outcome.requestId = headers.get(ProxyHeaders.REQUEST_ID);
  }

  /** Whether a request asks for a WebSocket over HTTP/1.1: a GET with {@code Upgrade: websocket}. */
  static boolean isWebSocketUpgrade(HttpServerRequest request) {
    return request.canUpgradeToWebSocket();
  }

  void start() {
    deadline = router.vertx().setTimer(route.policy().timeout().toMillis(), id -> {
      if (!finished) {
        route.stats().timeouts++;
        abandon();
        LocalResponses.error(request, 504, "upstream upgrade timeout");
      }
    });
    request.response().closeHandler(v -> abandon());
    nextTry();
  }

  private void nextTry() {
    switch (cluster.pick(null, tried)) {
      case EndpointLease next -> send(next);
      case Refusal refusal -> {
        if (tried.isEmpty()) {
          route.stats().overloaded++;
          if (refusal.isLimit()) {
            request.response().putHeader(ProxyHeaders.OVERLOADED, "true");
          }
        }
        finishWithError(503, "no upstream for the upgrade");
      }
    }
  }

  private void send(EndpointLease next) {
    lease = next;
    Endpoint endpoint = next.endpoint();
    tried.add(endpoint);
    outcome.upstream = endpoint;
    upstreamStats.requests++;
    RequestOptions options = router.connectTo(cluster.config(), endpoint)
        .setMethod(HttpMethod.GET)
        .setURI(uri)
        .setHeaders(headers);
    router.client(cluster.config()).request(options).onComplete(ar -> {
      if (ar.failed()) {
        upstreamStats.failures++;
        next.connectFailed(ar.cause());
        if (!finished && tried.size() <= route.policy().retries()) {
          nextTry();
        } else {
          finishWithError(503, "upstream connect failed: " + ar.cause().getMessage());
        }
        return;
      }
      if (finished) {
        next.release();
        ar.result().reset();
        return;
      }
      next.connected();
      upstream = ar.result();
      if (authority != null) {
        upstream.authority(authority);
      }
      // Failures before the answer arrive through connect()'s future; after a 101 the tunnel's close also
      // fails the request, which is its normal end and would otherwise be logged as an error.
      upstream.exceptionHandler(ignored -> { });
      upstream.connect().onComplete(answer -> {
        if (finished) {
          return;
        }
        if (answer.failed()) {
          upstreamStats.failures++;
          next.release();
          finishWithError(502, "upstream upgrade failed: " + answer.cause().getMessage());
        } else if (answer.result().statusCode() == 101) {
          tunnel(answer.result());
        } else {
          relay(answer.result());
        }
      });
    });
  }

  private void tunnel(HttpClientResponse response) {
    finished = true;
    router.vertx().cancelTimer(deadline);
    outcome.cluster = upstreamStats;
    NetSocket upstreamSocket = response.netSocket();
    // A NetSocket with no handler drops what it reads: hold the endpoint's first frames until the pipe runs.
    upstreamSocket.pause();
    HttpServerResponse downstream = request.response();
    downstream.setStatusCode(101);
    ProxyHeaders.downstreamResponse(response.headers(), downstream.headers(), route.policy().responseHeaders());
    downstream.headers().set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE)
        .set(HttpHeaders.UPGRADE, response.getHeader(HttpHeaders.UPGRADE));
    request.toNetSocket().onComplete(ar -> {
      if (ar.failed()) {
        // The client went away between the endpoint's 101 and ours.
        upstreamSocket.close();
        lease.release();
        outcome.finish(0);
        return;
      }
      route.stats().upgrades++;
      outcome.finish(101);
      NetSocket client = ar.result();
      client.pause();
      // Each pipe ends (closes) its destination when its source closes, so either side closing closes both.
      Future.join(client.pipeTo(upstreamSocket), upstreamSocket.pipeTo(client)).onComplete(closed -> lease.release());
    });
  }

  /** The endpoint refused the upgrade: its answer goes to the client like any response. */
  private void relay(HttpClientResponse response) {
    finished = true;
    router.vertx().cancelTimer(deadline);
    outcome.cluster = upstreamStats;
    HttpServerResponse downstream = request.response();
    downstream.setStatusCode(response.statusCode());
    ProxyHeaders.downstreamResponse(response.headers(), downstream.headers(), route.policy().responseHeaders());
    if (!downstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      downstream.setChunked(true);
    }
    BodyRelay.relay(response, downstream, null, lease::release, upstreamStats::countFailure);
  }

  /** The client went away, or the deadline passed, before the handshake was answered. */
  private void abandon() {
    if (finished) {
      return;
    }
    finished = true;
    router.vertx().cancelTimer(deadline);
    if (upstream != null) {
      upstream.reset();
      lease.release();
    }
  }

  private void finishWithError(int status, String message) {
    if (finished) {
      return;
    }
    finished = true;
    router.vertx().cancelTimer(deadline);
    LocalResponses.error(request, status, message);
  }
}
