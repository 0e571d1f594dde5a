package io.ringway.spi.config;

/**
 * How many retries of a route may be in flight at once on one event loop: at most {@code percent} of the
 * route's requests in flight there, and never fewer than {@code minConcurrent}. It keeps retries from
 * multiplying load on an upstream that is failing for everyone; a retry over budget is not made, the
 * client gets the last answer or error, and the refusal is counted.
 *
 * <p>Envoy's {@code retry_budget} with {@code min_retry_concurrency} is the model, but the defaults are sized for
 * an endpoint's death under load rather than taken from Envoy (20%, 3): the requests in flight on an endpoint that
 * dies fail together and each wants its retry at once. With two endpoints that is half of the route's requests in
 * flight (round robin and least request keep the halves even), which 50% covers; the floor of 32 covers it outright
 * on a loop with up to 64 requests in flight. Retries after a try no server saw (connect failed, nothing written)
 * are not counted here at all: they multiply no upstream work.
 *
 * @param percent 0..100 of the route's in-flight requests (default 50)
 * @param minConcurrent retries allowed whatever the percentage gives (default 32)
 */
public record RetryBudget(int percent, int minConcurrent) {

  public static final RetryBudget DEFAULT = new RetryBudget(50, 32);

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
