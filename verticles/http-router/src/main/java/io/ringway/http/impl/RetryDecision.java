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

  /** The router's answer when no try follows a failed one: 504 after a try timed out, 503 if none was seen, else 502. */
  static int status(boolean unprocessed, boolean lastTryTimedOut) {
    return lastTryTimedOut ? 504 : unprocessed ? 503 : 502;
  }
}
