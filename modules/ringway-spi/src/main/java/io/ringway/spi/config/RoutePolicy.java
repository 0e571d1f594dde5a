package io.ringway.spi.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts, retries and header rewrites of one route.
 *
 * @param timeout whole-request limit from routing to the upstream's response head, retries included; 504 when hit
 *     (default 15 s)
 * @param perTryTimeout limit on one upstream attempt's response head; a try that hits it may be retried (default
 *     {@code null}: only {@code timeout} applies)
 * @param retries further attempts after the first, each on an endpoint not tried yet (default 1)
 * @param retryNonIdempotent also retry POST, PATCH (and other non-idempotent methods) (default false); a retry
 *     sends the body again, so a request whose body outgrew the router's 64 KiB replay buffer is never retried
 * @param requestHeaders headers added to / removed from the request sent upstream
 * @param responseHeaders headers added to / removed from the response sent downstream
 * @param retryBudget how many of the route's retries may be in flight at once (default {@link RetryBudget#DEFAULT})
 */
public record RoutePolicy(Duration timeout, Duration perTryTimeout, int retries, boolean retryNonIdempotent,
                          HeaderRewrite requestHeaders, HeaderRewrite responseHeaders, RetryBudget retryBudget) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  public static final int DEFAULT_RETRIES = 1;
  /** The defaults of every field. */
  public static final RoutePolicy DEFAULTS = new RoutePolicy(DEFAULT_TIMEOUT, null, DEFAULT_RETRIES, false,
      HeaderRewrite.NONE, HeaderRewrite.NONE, RetryBudget.DEFAULT);

  public RoutePolicy {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " must be positive");
    }
    if (perTryTimeout != null && (perTryTimeout.isNegative() || perTryTimeout.isZero())) {
      throw new IllegalArgumentException("perTryTimeout: " + perTryTimeout + " must be positive");
    }
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("retries: " + retries + " is outside 0..10");
    }
    Objects.requireNonNull(requestHeaders, "requestHeaders");
    Objects.requireNonNull(responseHeaders, "responseHeaders");
    Objects.requireNonNull(retryBudget, "retryBudget");
  }

  public RoutePolicy withTimeout(Duration timeout) {
    return new RoutePolicy(timeout, perTryTimeout, retries, retryNonIdempotent, requestHeaders, responseHeaders,
        retryBudget);
  }

  public RoutePolicy withPerTryTimeout(Duration perTryTimeout) {
    return new RoutePolicy(timeout, perTryTimeout, retries, retryNonIdempotent, requestHeaders, responseHeaders,
        retryBudget);
  }

  public RoutePolicy withRetries(int retries) {
    return new RoutePolicy(timeout, perTryTimeout, retries, retryNonIdempotent, requestHeaders, responseHeaders,
        retryBudget);
  }

  public RoutePolicy withRetryBudget(RetryBudget retryBudget) {
    return new RoutePolicy(timeout, perTryTimeout, retries, retryNonIdempotent, requestHeaders, responseHeaders,
        retryBudget);
  }

  public RoutePolicy withHeaders(HeaderRewrite requestHeaders, HeaderRewrite responseHeaders) {
    return new RoutePolicy(timeout, perTryTimeout, retries, retryNonIdempotent, requestHeaders, responseHeaders,
        retryBudget);
  }
}
