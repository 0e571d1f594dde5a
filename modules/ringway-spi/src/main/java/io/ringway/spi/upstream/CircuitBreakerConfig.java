package io.ringway.spi.upstream;

/**
 * A cluster's limits. Work over {@code maxConnections} or {@code maxPendingConnects} waits in a bounded queue of
 * {@code maxPendingRequests} (HTTP routes only, first come first served, each request bounded by its route's
 * timeout); what the queue cannot take is refused. Every refusal is counted.
 *
 * @param maxConnections connections open or being opened to the whole cluster (for HTTP, requests in flight)
 * @param maxPendingConnects connections still being opened (TCP handshake not finished)
 * @param maxPendingRequests HTTP requests that may wait for one of the other two limits to have room; 0 refuses
 *     them at once
 */
public record CircuitBreakerConfig(int maxConnections, int maxPendingConnects, int maxPendingRequests) {

  /** Envoy's default for all three limits. */
  public static final int DEFAULT_LIMIT = 1024;

  public CircuitBreakerConfig {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " must be at least 1");
    }
    if (maxPendingConnects < 1) {
      throw new IllegalArgumentException("maxPendingConnects: " + maxPendingConnects + " must be at least 1");
    }
    if (maxPendingRequests < 0) {
      throw new IllegalArgumentException("maxPendingRequests: " + maxPendingRequests + " must not be negative");
    }
  }

  /** {@link #DEFAULT_LIMIT} for all three. */
  public static CircuitBreakerConfig defaults() {
    return new CircuitBreakerConfig(DEFAULT_LIMIT, DEFAULT_LIMIT, DEFAULT_LIMIT);
  }
}
