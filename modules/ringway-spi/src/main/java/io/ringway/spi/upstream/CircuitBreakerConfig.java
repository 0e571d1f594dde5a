package io.ringway.spi.upstream;

/**
 * Limits that refuse new work to a cluster instead of queueing it; every refusal is counted.
 *
 * @param maxConnections connections open or being opened to the whole cluster
 * @param maxPendingConnects connections still being opened (TCP handshake not finished)
 */
public record CircuitBreakerConfig(int maxConnections, int maxPendingConnects) {

  /** Envoy's default for both limits. */
  public static final int DEFAULT_LIMIT = 1024;

  public CircuitBreakerConfig {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " must be at least 1");
    }
    if (maxPendingConnects < 1) {
      throw new IllegalArgumentException("maxPendingConnects: " + maxPendingConnects + " must be at least 1");
    }
  }

  /** {@link #DEFAULT_LIMIT} for both. */
  public static CircuitBreakerConfig defaults() {
    return new CircuitBreakerConfig(DEFAULT_LIMIT, DEFAULT_LIMIT);
  }
}
