package io.ringway.upstream.impl;

import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.upstream.Refusal;

/**
 * Per-loop share of a cluster's limits. Loops share nothing, so a cluster limit of L over n loops is
 * ceil(L / n) per loop: the node never exceeds L plus n - 1, at the price of refusing on a busy loop
 * while a quiet one has room.
 */
final class CircuitBreaker {

  private int maxConnections;
  private int maxPending;
  private int maxPendingRequests;

  int active;
  int pending;
  long maxConnectionsHits;
  long maxPendingHits;

  CircuitBreaker(CircuitBreakerConfig limits, int loops) {
    limit(limits, loops);
  }

  /** Takes new limits; connections already open stay, new ones wait until the count is under them. */
  void limit(CircuitBreakerConfig limits, int loops) {
    this.maxConnections = share(limits.maxConnections(), loops);
    this.maxPending = share(limits.maxPendingConnects(), loops);
    this.maxPendingRequests = share(limits.maxPendingRequests(), loops);
  }

  private static int share(int limit, int loops) {
    return (limit + loops - 1) / loops;
  }

  /**
   * The refusal a new lease would meet now (counted), or {@code null} when it may go ahead.
   *
   * @param reserved room already promised to queued requests whose picks have not run yet
   */
  Refusal admit(int reserved) {
    if (active + reserved >= maxConnections) {
      maxConnectionsHits++;
      return Refusal.MAX_CONNECTIONS;
    }
    if (pending + reserved >= maxPending) {
      maxPendingHits++;
      return Refusal.MAX_PENDING_CONNECTS;
    }
    return null;
  }

  /** Whether one more lease fits beside {@code reserved} promised ones. */
  boolean hasRoom(int reserved) {
    return active + reserved < maxConnections && pending + reserved < maxPending;
  }

  int maxPendingRequests() {
    return maxPendingRequests;
  }
}
