package io.ringway.spi.config;

/**
 * How many retries of a route may be in flight at once on one event loop: at most {@code percent} of the
 * route's requests in flight there, and never fewer than {@code minConcurrent}. It keeps retries from
 * multiplying load on an upstream that is failing for everyone; a retry over budget is not made, the
 * client gets the last answer or error, and the refusal is counted.
 *
 * @param percent 0..100 of the route's in-flight requests (default 20)
 * @param minConcurrent retries allowed whatever the percentage gives (default 3)
 */
public record RetryBudget(int percent, int minConcurrent) {

  public static final RetryBudget DEFAULT = new RetryBudget(20, 3);

  public RetryBudget {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent: " + percent + " is outside 0..100");
    }
    if (minConcurrent < 0) {
      throw new IllegalArgumentException("minConcurrent: " + minConcurrent + " must not be negative");
    }
  }

  /** Whether one more retry fits beside {@code retriesInFlight} of {@code requestsInFlight} requests. */
  public boolean allows(long retriesInFlight, long requestsInFlight) {
    return retriesInFlight < Math.max(minConcurrent, requestsInFlight * percent / 100);
  }
}
