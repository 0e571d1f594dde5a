package io.ringway.http.impl;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.http.BodyTransform;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.PendingRequest;
import io.ringway.upstream.PickResult;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.net.HostAndPort;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One forwarded request, from pick to the last response byte: tries endpoints in turn while the body sent
 * so far can be sent again, streams the body both ways under backpressure, and turns timeouts and failures
 * into 503/502/504. Every callback runs on the instance's loop; a try that lost (timed out, superseded)
 * is recognised by identity and ignored.
 */
final class ProxyExchange extends RequestDeadlines.Entry {

  private static final Set<Integer> RETRY_STATUS = Set.of(502, 503, 504);
  /** HTTP/2's REFUSED_STREAM: the peer guarantees it processed nothing of the stream (RFC 9113, 8.7). */
  private static final long REFUSED_STREAM = 0x7;
  /**
   * Request body bytes kept so a retry can send them again (Envoy's per-request buffer limit plays this part):
   * a body that outgrows it is streamed on, and a try that fails after that is not retried.
   */
  static final int REPLAY_LIMIT = 64 * 1024;
  /**
   * The most body bytes read and dropped after an error answer, so that the connection stays open (nginx drops any;
   * HAProxy closes unless the body has arrived): a larger Content-Length closes at once, a chunked body closes once it
   * has gone past this. About what one read brings in: such a body is mostly in the socket already.
   */
  static final long DROPPED_BODY_LIMIT = 64 * 1024;

  private final RouterContext router;
  private final HttpServerRequest request;
  private final Route route;
  private final RoutePolicy policy;
  private final UpstreamCluster cluster;
  private final UpstreamStats upstreamStats;
  private final long maxBody;
  private final ListenerStats listenerStats;
  private final Outcome outcome;
  private final List<Endpoint> tried = new ArrayList<>();
  /** The request's Content-Length (the decoder checked it), or -1 without one. */
  private final long declaredLength;
  private final boolean hasBody;
  private final boolean retryable;
  /** Not on an idle pooled connection ({@link RetryDecision#needsNewConnection}). */
  private final boolean newConnection;
  private final String uri;
  private final HostAndPort authority;
  /** The x-request-id every try sends (null: a rewrite removes it). */
  private final String requestId;
  private Try current;
  /** The request's place in its cluster's queue while the cluster is at its limits. */
  private PendingRequest waiting;
  private long bodyBytes;
  /** Body bytes were sent upstream that a retry could not send again (they outgrew {@link #replay}). */
  private boolean bodyStarted;
  /** The body read so far while it fits {@link #REPLAY_LIMIT}, for a retry to send again; null once it does not. */
  private List<Buffer> replay;
  private boolean bodyHandlersSet;
  private boolean requestEnded;
  private boolean finished;
  private boolean lastTryTimedOut;
  private boolean readingToEnd;
  /** Body bytes read and dropped after an error answer. */
  private long dropped;
  /** A retry was taken from the budget and the next try, once sent, holds it. */
  private boolean retryPermit;
  /** A try's pooled connection was found closing and its request went again on a new one ({@link Try#failed}). */
  private boolean replacedStale;

  ProxyExchange(RouterContext router, HttpServerRequest request, Route route, UpstreamCluster cluster,
                UpstreamStats upstreamStats, long maxBody, ListenerStats listenerStats, Outcome outcome) {
    this.router = router;
    this.request = request;
    this.route = route;
    this.policy = route.policy();
    this.cluster = cluster;
    this.upstreamStats = upstreamStats;
    this.maxBody = maxBody;
    this.listenerStats = listenerStats;
    this.outcome = outcome;
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    this.declaredLength = length == null ? -1 : Long.parseLong(length);
    this.hasBody = hasBody(request, declaredLength);
    this.replay = hasBody ? new ArrayList<>() : null;
    this.retryable = RetryDecision.retryable(request.method(), policy);
    boolean resendable = retryable && (!hasBody || declaredLength >= 0 && declaredLength <= REPLAY_LIMIT);
    // Resendable looked at first: most requests are, and the question of the first request walks the pipeline.
    this.newConnection = !resendable && cluster.config().protocol() == UpstreamProtocol.HTTP1
        && RetryDecision.needsNewConnection(Http1Drain.answeredNone(request), resendable);
    ForwardAction forward = (ForwardAction) route.action();
    this.uri = rewriteUri(request, route, forward.prefixRewrite());
    this.authority = upstreamAuthority(request, forward);
    this.requestId = ProxyHeaders.requestId(request, policy.requestHeaders());
    outcome.requestId = requestId;
  }

  void start() {
    // Paused until an upstream request exists to take the body: nothing is read that could not be sent.
    request.pause();
    if (maxBody > 0 && declaredLength > maxBody) {
      listenerStats.bodyTooLarge++;
      LocalResponses.errorAndClose(request, 413, "request body too large");
      return;
    }
    route.deadlines(router.context()).add(this);
    // A broken downstream (bad chunk, reset, close) abandons the exchange: the upstream request is reset,
    // so the backend never sees a complete request that the client did not send.
    request.exceptionHandler(this::onRequestBroken);
    request.response().closeHandler(v -> abandon());
    nextTry();
  }

  private void nextTry() {
    switch (cluster.pickOrWait(null, tried, this::picked)) {
      case EndpointLease lease -> send(lease);
      case Refusal refusal -> refuse(refusal);
      case PendingRequest queued -> {
        waiting = queued;
        Http1Drain.waitsInQueue(request, true);
      }
    }
  }

  /** The turn of a request that waited in its cluster's queue. */
  private void picked(PickResult result) {
    waiting = null;
    Http1Drain.waitsInQueue(request, false);
    switch (result) {
      case EndpointLease lease -> send(lease);
      case Refusal refusal -> refuse(refusal);
    }
  }

  /** A request that ends while it waits for its cluster leaves the queue, and gives back the retry it held. */
  private void leaveQueue() {
    if (waiting != null) {
      waiting.cancel();
      waiting = null;
      Http1Drain.waitsInQueue(request, false);
    }
    returnRetryPermit();
  }

  /** The retry taken from the budget for a next try that will not be sent goes back. */
  private void returnRetryPermit() {
    if (retryPermit) {
      retryPermit = false;
      route.stats().endRetry();
    }
  }

  private void refuse(Refusal refusal) {
    returnRetryPermit();
    RefusedTry answer = RefusedTry.of(refusal, tried.size(), lastTryTimedOut, route.stats());
    if (answer.overloaded()) {
      request.response().putHeader(ProxyHeaders.OVERLOADED, "true");
    }
    finishWithError(answer.status(), answer.message());
  }

  private void send(EndpointLease lease) {
    // Until this try can take the body: a chunk read now would have nowhere to go.
    request.pause();
    Try attempt = new Try(lease, retryPermit);
    retryPermit = false;
    current = attempt;
    tried.add(lease.endpoint());
    outcome.upstream = lease.endpoint();
    upstreamStats.requests++;
    if (newConnection) {
      upstreamStats.newConnectionRequests++;
    }
    if (tried.size() > 1) {
      route.stats().retries++;
    }
    sendTry(attempt, newConnection);
  }

  /** Sends {@code attempt}'s request to its lease's endpoint; with {@code onNewConnection}, never on a pooled one. */
  private void sendTry(Try attempt, boolean onNewConnection) {
    Endpoint endpoint = attempt.lease.endpoint();
    if (outcome.trace != null) {
      // The upstream's parent is this try's span: a retry is another child of the request's span.
      attempt.span = outcome.trace.newTry();
    }
    RequestOptions options = router.connectTo(cluster.config(), endpoint)
        .setMethod(request.method())
        .setURI(uri);
    if (policy.perTryTimeout() != null) {
      attempt.timer = router.vertx().setTimer(policy.perTryTimeout().toMillis(), id -> attempt.timedOut());
    }
    router.client(cluster.config(), onNewConnection).request(options).onComplete(ar -> {
      if (ar.failed()) {
        // No stream was had, so no byte of the request left: the connect failed, or the pooled connection was
        // found closed (its endpoint died or timed it out) before anything was written on it.
        attempt.failed(ar.cause(), ar.cause() instanceof ConnectException
            || ar.cause() instanceof io.netty.channel.ConnectTimeoutException ? TryFailure.CONNECT : TryFailure.UNSENT);
      } else {
        attempt.connected(ar.result());
      }
    });
  }

  private void streamBody(Try attempt, HttpClientRequest upstream) {
    if (!hasBody) {
      readToEnd();
      attempt.endUpstream();
      return;
    }
    if (declaredLength >= 0) {
      upstream.putHeader(HttpHeaders.CONTENT_LENGTH, request.getHeader(HttpHeaders.CONTENT_LENGTH));
    } else {
      upstream.setChunked(true);
    }
    // A retry: what the tries before it were sent, again (at most REPLAY_LIMIT bytes, so no backpressure wait).
    replay.forEach(upstream::write);
    if (requestEnded) {
      attempt.endUpstream();
      return;
    }
    if (!bodyHandlersSet) {
      bodyHandlersSet = true;
      request.handler(this::onBodyChunk);
      request.endHandler(v -> onBodyEnd());
      LocalResponses.continueIfExpected(request);
    }
    request.resume();
  }

  private void onBodyChunk(Buffer chunk) {
    Try attempt = current;
    bodyBytes += chunk.length();
    if (maxBody > 0 && bodyBytes > maxBody) {
      listenerStats.bodyTooLarge++;
      attempt.abandon();
      finishWithError(413, "request body too large");
      request.connection().close();
      return;
    }
    if (replay != null && bodyBytes <= REPLAY_LIMIT) {
      replay.add(chunk);
    } else {
      replay = null;
      bodyStarted = true;
    }
    HttpClientRequest upstream = attempt.over ? null : attempt.upstream;
    if (upstream == null) {
      // Between tries (a drain handler of a failed one resumed the request): kept for the next try if it fits.
      request.pause();
      if (bodyStarted) {
        attempt.abandon();
        finishWithError(502, "upstream request failed while the body was streaming");
      }
      return;
    }
    upstream.write(chunk);
    if (upstream.writeQueueFull()) {
      request.pause();
      upstream.drainHandler(v -> {
        if (attempt == current) {
          request.resume();
        }
      });
    }
  }

  private void onBodyEnd() {
    requestEnded = true;
    if (!current.over && current.upstream != null) {
      current.endUpstream();
    }
  }

  private void onResponse(Try attempt, HttpClientResponse response) {
    attempt.traced(response.statusCode(), null);
    if (response.statusCode() < 200) {
      // A 1xx Vert.x took for the final head (HTTP/2's 102, a 101 to a plain request; the guard drops them on
      // HTTP/1): the real answer cannot follow it, and relaying it would end the client's exchange on a 1xx.
      attempt.responded = false;
      attempt.discard(response.version());
      attempt.failed(new BadUpstreamResponse("upstream sent " + response.statusCode() + " as its final response"),
          TryFailure.SENT);
      return;
    }
    attempt.cancelTimer();
    attempt.end();
    if (RETRY_STATUS.contains(response.statusCode())) {
      upstreamStats.gatewayErrors++;
      if (retry(false)) {
        if (attempt.ended) {
          // Drained in the background so the connection can go back to its pool.
          response.end();
          attempt.lease.release();
        } else {
          // Answered before the whole body went up: the connection is mid-request and cannot be reused.
          attempt.abandon();
        }
        nextTry();
        return;
      }
    }
    cancelDeadline();
    // This answer is the one relayed: no try follows, so the kept body can go.
    replay = null;
    outcome.cluster = upstreamStats;
    HttpServerResponse downstream = request.response();
    downstream.setStatusCode(response.statusCode());
    if (response.statusMessage() != null && request.version() != HttpVersion.HTTP_2) {
      downstream.setStatusMessage(response.statusMessage());
    }
    ProxyHeaders.downstreamResponse(response.headers(), downstream.headers(), policy.responseHeaders());
    BodyTransform transform = route.filters().isEmpty() ? null
        : FilterResponseView.apply(route.filters(), request, route.name());
    boolean unframed = !downstream.headers().contains(HttpHeaders.CONTENT_LENGTH);
    if (unframed && request.version() == HttpVersion.HTTP_1_1) {
      downstream.setChunked(true);
    } else if (unframed && request.version() == HttpVersion.HTTP_1_0 && request.method() != HttpMethod.HEAD
        && response.statusCode() != 204 && response.statusCode() != 304) {
      // HTTP/1.0 has no chunked coding: the body ends with the connection (RFC 9112 §6.3), which must then close.
      // Vert.x would keep a keep-alive one open (the client would wait for the body's end forever) and writes its
      // "connection: keep-alive" last, so this replaces it after; the drain handler closes after a "close".
      downstream.headersEndHandler(v -> downstream.headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE));
    }
    BodyRelay.relay(response, downstream, transform, () -> {
      finished = true;
      attempt.lease.release();
    }, failure -> {
      if (!attempt.selfReset) {
        upstreamStats.countFailure(failure);
      }
    });
  }

  /** Whether another try follows a failed one ({@link RetryDecision}); a budgeted one holds its permit. */
  private boolean retry(boolean unprocessed) {
    RetryDecision.Next next = RetryDecision.after(unprocessed, !finished && !bodyStarted, retryable, tried.size(),
        route);
    retryPermit = next == RetryDecision.Next.RETRY;
    return next != RetryDecision.Next.NONE;
  }

  @Override
  void expired(RequestDeadlines from) {
    if (finished || (current != null && current.responded)) {
      return;
    }
    route.stats().timeouts++;
    if (current != null) {
      current.abandon();
    }
    finishWithError(504, "upstream request timeout");
  }

  /**
   * The request body broke. A framing error the decoder found (bad chunk line or terminator) is answered 400
   * while no response head has left, as nginx and HAProxy do; anything else (a reset, a close) has no one left
   * to answer.
   */
  private void onRequestBroken(Throwable cause) {
    if (LocalResponses.isBadFraming(cause) && !finished && !request.response().headWritten()) {
      listenerStats.badRequests++;
      if (current != null) {
        current.abandon();
      }
      finishWithError(400, "bad request body framing", true);
      return;
    }
    abandon();
  }

  /** The client went away or broke its request: let go of the upstream side. */
  private void abandon() {
    if (current != null && !finished) {
      current.abandon();
    }
    if (!finished) {
      finished = true;
      cancelDeadline();
      leaveQueue();
    }
  }

  private void finishWithError(int status, String message) {
    finishWithError(status, message, false);
  }

  /** @param framingBroken the body's framing is broken: nothing after it can be read as the next request */
  private void finishWithError(int status, String message, boolean framingBroken) {
    if (finished) {
      return;
    }
    finished = true;
    cancelDeadline();
    leaveQueue();
    if (framingBroken || bodyStarted || hasBody && !request.isEnded() && !droppableBody()) {
      // Part of a body went upstream, or what is left of it is large or unframed: closing keeps the connection safe.
      LocalResponses.errorAndClose(request, status, message);
    } else {
      // Bodyless but not ended yet (its end waits behind the pause of a try that failed at once), or a body that can
      // be dropped (a failed try may have sent part of it): the rest is read and dropped, the connection stays.
      readToEnd(DROPPED_BODY_LIMIT);
      LocalResponses.error(request, status, message);
    }
  }

  /**
   * Ends the exchange with no answer, for the client to retry ({@link RetryDecision#leftToClient}): an HTTP/2 stream is
   * refused, an HTTP/1 connection closes once what was written to it is out.
   */
  private void leaveToClient() {
    finished = true;
    cancelDeadline();
    leaveQueue();
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset(REFUSED_STREAM);
    } else {
      request.connection().close();
    }
  }

  /** A body of a declared length up to {@link #DROPPED_BODY_LIMIT}, or a chunked HTTP/1 one (dropped up to it). */
  private boolean droppableBody() {
    return declaredLength >= 0 ? declaredLength <= DROPPED_BODY_LIMIT : request.version() != HttpVersion.HTTP_2;
  }

  /**
   * Reads the request to its end, once, dropping what body is left. A paused HTTP/1 request stops the whole
   * connection from reading, so every path that answers without streaming the body must come through here.
   */
  private void readToEnd() {
    readToEnd(Long.MAX_VALUE);
  }

  /** {@link #readToEnd()}, closing the connection once more than {@code budget} body bytes were dropped. */
  private void readToEnd(long budget) {
    if (readingToEnd) {
      return;
    }
    readingToEnd = true;
    if (!request.isEnded()) {
      request.handler(budget == Long.MAX_VALUE ? chunk -> { } : chunk -> {
        dropped += chunk.length();
        if (dropped > budget) {
          request.connection().close();
        }
      });
      request.endHandler(v -> { });
    } else if (request.version() == HttpVersion.HTTP_2) {
      // An HTTP/2 stream pauses only itself, and Vert.x 5.0.10 throws "Request has already been read" on
      // resume() of an ended one (a 504 on a bodyless gRPC call hit it).
      return;
    }
    request.resume();
  }

  private static boolean hasBody(HttpServerRequest request, long declaredLength) {
    if (declaredLength >= 0) {
      // An h2 stream still open after "content-length: 0" may yet carry DATA, which makes it malformed (RFC 9113
      // §8.1.1): its head goes upstream only with its end, so a request reset for that is never seen whole.
      return declaredLength > 0 || request.version() == HttpVersion.HTTP_2 && !request.isEnded();
    }
    if (request.version() == HttpVersion.HTTP_2) {
      // HTTP/2 frames bodies without Content-Length; methods that carry none are sent without one.
      return !RetryDecision.IDEMPOTENT.contains(request.method()) || request.method() == HttpMethod.PUT;
    }
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** The authority to send upstream: the route's host rewrite, else the client's. */
  static HostAndPort upstreamAuthority(HttpServerRequest request, ForwardAction forward) {
    return forward.hostRewrite() != null ? HostAndPort.parseAuthority(forward.hostRewrite(), -1) : request.authority();
  }

  /** Path and query to send upstream, after the route's prefix rewrite. */
  static String rewriteUri(HttpServerRequest request, Route route, String prefixRewrite) {
    String path = request.path();
    PathMatch match = route.config().match().path();
    if (prefixRewrite != null && match != null && match.kind() == PathMatch.Kind.PREFIX
        && path.startsWith(match.value())) {
      path = prefixRewrite + path.substring(match.value().length());
      if (path.isEmpty()) {
        path = "/";
      }
    }
    String query = request.query();
    return query == null ? path : path + "?" + query;
  }

  /** How far a failed try got: what a retry may assume the upstream saw. */
  private enum TryFailure {
    /** The connect failed or timed out: no server saw anything. */
    CONNECT,
    /** Connected (or pooled) but nothing written: no server saw anything. */
    UNSENT,
    /** Some of the request may have reached the server. */
    SENT
  }

  /** One upstream attempt: its lease, request and per-try timer. */
  private final class Try {
    final EndpointLease lease;
    /** Whether this try is a retry holding a place in the route's retry budget. */
    private boolean holdsRetry;
    HttpClientRequest upstream;
    long timer = -1;
    boolean responded;
    boolean over;
    /** The router reset the upstream request itself: the failure that follows is no upstream's doing. */
    boolean selfReset;
    /** This try's client span with {@code http.tracing}, else null. */
    RequestTrace.TrySpan span;
    /** The guard of this try's HTTP/1 connection, else null. */
    private UpstreamGuard guard;
    /** Interim responses (100, 103) seen before the final one. */
    private int interim;
    /** The whole request went up. */
    boolean ended;

    Try(EndpointLease lease, boolean holdsRetry) {
      this.lease = lease;
      this.holdsRetry = holdsRetry;
    }

    void endUpstream() {
      ended = true;
      upstream.end();
    }

    /** The try has its answer or failed: its place in the retry budget is free again. */
    void end() {
      if (holdsRetry) {
        holdsRetry = false;
        route.stats().endRetry();
      }
    }

    void connected(HttpClientRequest upstream) {
      // Without it Vert.x logs a failure that comes before the request ended (an upstream reset, a bad
      // response) at SEVERE; the response future fails with the same cause and decides what happens.
      upstream.exceptionHandler(this::requestFailed);
      if (over || request.response().closed()) {
        // The client broke its request while we connected (bad chunk, reset): send nothing at all.
        over = true;
        lease.release();
        upstream.reset();
        return;
      }
      this.upstream = upstream;
      // Into the request's own headers: a map of ours given in the options would be copied into them.
      ProxyHeaders.upstreamRequest(request, policy.requestHeaders(), requestId, upstream.headers());
      if (span != null) {
        upstream.putHeader(RequestTrace.TRACEPARENT, outcome.trace.traceparent(span));
      }
      lease.connected();
      guard = UpstreamGuard.bind(upstream.connection(), upstreamStats);
      // The client's 100-continue was answered by the router, so an upstream 100 was asked for by nobody
      // downstream: counted and dropped. 103 is relayed.
      upstream.continueHandler(v -> interim(null));
      upstream.earlyHintsHandler(this::interim);
      if (authority != null) {
        upstream.authority(authority);
      }
      upstream.response().onComplete(ar -> {
        if (over) {
          return;
        }
        if (ar.succeeded()) {
          responded = true;
          onResponse(this, ar.result());
        } else {
          failed(ar.cause(), TryFailure.SENT);
        }
      });
      streamBody(this, upstream);
    }

    /** Ends the try's span, once: with the upstream's status, or 0 and the failure. */
    void traced(int status, Throwable failure) {
      if (span != null) {
        outcome.trace.endTry(span, request.method().name(), cluster.config().name(), lease.endpoint(), status, failure);
      }
    }

    void failed(Throwable cause, TryFailure failure) {
      if (over) {
        return;
      }
      traced(0, cause);
      over = true;
      cancelTimer();
      // Not after a reset of the router's own (a per-try timeout's): that connection was not closing.
      if (failure == TryFailure.SENT && !selfReset && guard != null && guard.reusedAndUnanswered() && !replacedStale
          && retryable && !bodyStarted && !finished) {
        // The pooled connection was closing as the request went out (the upstream timed it out while idle): the
        // request most likely went nowhere, and it may be sent again, so it goes to the same endpoint on a new
        // connection, once, within this try, as the byte-level path does. A cluster of one endpoint has no other.
        replacedStale = true;
        Try again = new Try(lease, holdsRetry);
        holdsRetry = false;
        current = again;
        request.pause();
        sendTry(again, true);
        return;
      }
      end();
      upstreamStats.failures++;
      upstreamStats.countFailure(cause);
      if (failure == TryFailure.CONNECT) {
        lease.connectFailed(cause);
      } else {
        lease.release();
      }
      boolean refused = cause instanceof StreamResetException reset && reset.getCode() == REFUSED_STREAM;
      if (refused) {
        upstreamStats.refusedStreams++;
      }
      // Nothing of the request reached a server (no connection, none written, or a refused stream), or it may have.
      boolean unprocessed = failure != TryFailure.SENT || refused;
      if (retry(unprocessed)) {
        nextTry();
      } else if (!unprocessed && RetryDecision.leftToClient(
          request.version() == HttpVersion.HTTP_2 || Http1Drain.answeredBefore(request),
          guard != null && guard.reusedAndUnanswered(), lastTryTimedOut)) {
        upstreamStats.leftToClientRetry++;
        leaveToClient();
      } else {
        finishWithError(RetryDecision.status(unprocessed, lastTryTimedOut),
            lastTryTimedOut ? "upstream try timeout" : "upstream " + (failure == TryFailure.CONNECT ? "connect" : "request")
                + " failed: " + cause.getMessage());
      }
    }

    private void requestFailed(Throwable cause) {
      if (!selfReset && !responded) {
        failed(cause, TryFailure.SENT);
      }
    }

    /** An interim response: forwarded when it is a 103, refused when there were too many. */
    private void interim(MultiMap hints) {
      if (over || responded) {
        return;
      }
      if (++interim > UpstreamGuard.MAX_INTERIM) {
        // An HTTP/2 storm (the guard stops HTTP/1 ones first): bounded like HTTP/1's.
        resetUpstream();
        failed(new BadUpstreamResponse("more than " + UpstreamGuard.MAX_INTERIM + " interim responses"), TryFailure.SENT);
      } else if (hints != null) {
        EarlyHints.forward(request, hints);
      }
    }

    /** Lets go of an upstream exchange that cannot continue: HTTP/1's connection is out of sync, so closed. */
    void discard(HttpVersion version) {
      if (version == HttpVersion.HTTP_2) {
        resetUpstream();
      } else {
        selfReset = true;
        upstream.connection().close();
      }
    }

    void resetUpstream() {
      selfReset = true;
      upstream.reset();
    }

    void timedOut() {
      if (over || responded) {
        return;
      }
      upstreamStats.tryTimeouts++;
      lastTryTimedOut = true;
      if (upstream != null) {
        resetUpstream();
      }
      failed(new java.util.concurrent.TimeoutException("per-try timeout"), TryFailure.SENT);
    }

    void abandon() {
      end();
      if (!over) {
        over = true;
        cancelTimer();
        if (upstream != null) {
          resetUpstream();
        }
        lease.release();
      }
    }

    void cancelTimer() {
      if (timer >= 0) {
        router.vertx().cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
