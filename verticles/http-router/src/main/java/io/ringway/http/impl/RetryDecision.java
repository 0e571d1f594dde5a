package io.ringway.http.impl;

import io.ringway.spi.config.RoutePolicy;
import io.vertx.core.http.HttpMethod;
import java.util.Set;

/**
 * Whether a forwarded request gets another try, the same on both data paths ({@link ProxyExchange},
 * {@link ByteExchange}). A try no server saw (the connect failed or timed out, nothing was written, a refused stream)
 * fails over for any method and outside the route's retry budget, which bounds upstream work multiplied by retries
 * and this adds none. A try a server may have seen (a reset or a close before any response byte, a 502/503/504) is
 * retried only for a retryable method and within the budget. Either needs a try left under the route's
 * {@code retries}, and the request still in hand to send again.
 */
final class RetryDecision {

  enum Next {
    /** Another endpoint, outside the budget ({@code failoverRetries}). */
    FAILOVER,
    /** Another endpoint; the next try holds a place in the route's retry budget until it ends. */
    RETRY,
    /** No further try: the request is answered with what it has. */
    NONE
  }

  /** Methods a server may see twice without harm (RFC 9110 §9.2.2). */
  static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

  private RetryDecision() {
  }

  /** Whether a request may be retried after a server may have seen it: an idempotent method, or the route allows any. */
  static boolean retryable(HttpMethod method, RoutePolicy policy) {
    return IDEMPOTENT.contains(method) || policy.retryNonIdempotent();
  }

  /**
   * @param unprocessed no server saw the failed try
   * @param sendable the request is not answered yet and can be sent again (no body, or all of it kept)
   * @param retryable its method may be retried after a server may have seen it (idempotent, or retryNonIdempotent)
   * @param tries tries made so far
   */
  static Next after(boolean unprocessed, boolean sendable, boolean retryable, int tries, Route route) {
    if (!sendable || tries > route.policy().retries()) {
      return Next.NONE;
    }
    if (unprocessed) {
      route.stats().failoverRetries++;
      return Next.FAILOVER;
    }
    return retryable && route.stats().startRetry(route.policy().retryBudget()) ? Next.RETRY : Next.NONE;
  }

  /**
   * Whether a request goes on a new HTTP/1 upstream connection rather than an idle pooled one. An idle connection can
   * be closing as the request goes out on it (the upstream's keep-alive timeout, or its close after an answer that did
   * not announce it), and the request then fails with no answer, maybe read: one the router may send again gets
   * another try, one it may not (RFC 9110 §9.2.2) would be lost. A client's later request on its connection runs the
   * risk its client runs on its own keep-alive connection; on its first, the client could not know of any: that one
   * takes a new connection, as HAProxy's default {@code http-reuse safe} does.
   *
   * @param first the first request the data path took from its client connection (an HTTP/1 one)
   * @param resendable its method may be retried ({@link #retryable}) and its whole body would be kept for a retry
   */
  static boolean needsNewConnection(boolean first, boolean resendable) {
    return first && !resendable;
  }

  /**
   * Whether a request no further try follows is left to its client to retry, instead of answered 502: its try went on
   * a pooled upstream connection that ended before any byte of an answer (the upstream closed it as the request went
   * out), and its client can tell it is free to retry. Talking to the upstream itself, the client would have met the
   * same close and retried by its own rules, which know what the router does not (whether the request may go twice,
   * whether it can send the body again); a 502 is an answer no client retries, so the request would be lost. An HTTP/1
   * client learns it from its connection closing unanswered, which it expects only on a connection it reused: a later
   * request (a first one that could not be sent again took a new upstream connection). An HTTP/2 client learns it
   * from REFUSED_STREAM. HAProxy does both ({@code abort_keep_alive}; a refused stream for HTTP/2). A new upstream
   * connection that ends unanswered is a server that would not answer this request: that stays a 502.
   *
   * @param clientCanRetry an HTTP/2 stream, or an HTTP/1 request that its connection answered another before
   * @param reusedUnanswered the failed try went on a pooled connection and saw no byte of an answer
   * @param lastTryTimedOut an earlier try timed out (the answer is then a 504)
   */
  static boolean leftToClient(boolean clientCanRetry, boolean reusedUnanswered, boolean lastTryTimedOut) {
    return clientCanRetry && reusedUnanswered && !lastTryTimedOut;
  }

  /** The router's answer when no try follows a failed one: 504 after a try timed out, 503 if none was seen, else 502. */
  static int status(boolean unprocessed, boolean lastTryTimedOut) {
    return lastTryTimedOut ? 504 : unprocessed ? 503 : 502;
  }
}
