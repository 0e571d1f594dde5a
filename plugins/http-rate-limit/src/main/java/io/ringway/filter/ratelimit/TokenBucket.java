package io.ringway.filter.ratelimit;

/**
 * One key's bucket: {@code burst} tokens at most, refilled continuously at {@code rate} per second; a request
 * takes one. Touched by one event loop only.
 */
final class TokenBucket {

  private double tokens;
  private long updatedNanos;

  TokenBucket(int burst, long nowNanos) {
    this.tokens = burst;
    this.updatedNanos = nowNanos;
  }

  /**
   * Takes a token if there is one.
   *
   * @return 0 when taken, else the whole seconds until one is there again (at least 1): {@code retry-after}
   */
  long take(double ratePerNano, int burst, long nowNanos) {
    // Clock steps backwards (nanoTime never does, but a test clock may) refill nothing.
    long elapsed = Math.max(0, nowNanos - updatedNanos);
    tokens = Math.min(burst, tokens + elapsed * ratePerNano);
    updatedNanos = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    double waitNanos = (1 - tokens) / ratePerNano;
    return Math.max(1, (long) Math.ceil(waitNanos / 1e9));
  }
}
