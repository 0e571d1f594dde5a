package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointStats;

/**
 * Everything one loop knows about one endpoint. Kept across endpoint updates by address, so an
 * endpoint that stays keeps its counters, health and ejection history.
 */
final class EndpointState {

  Endpoint endpoint;
  /** False once an update dropped the endpoint; leases still in flight then only settle counters. */
  boolean member = true;

  boolean healthy = true;
  boolean ejected;
  long ejectedUntilNanos;
  /** When the last ejection ended; the ejection multiplier decays from there. */
  long returnedAtNanos;
  int ejectionMultiplier;
  int consecutiveFailures;

  int active;
  int pending;
  long totalConnections;
  long connectFailures;
  long ejections;

  EndpointState(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Whether the balancer may send new work here (retries aside). */
  boolean available() {
    return healthy && !ejected;
  }

  EndpointStats stats() {
    return new EndpointStats(endpoint.address(), endpoint.weight(), healthy, ejected, active, pending,
        totalConnections, connectFailures, ejections);
  }
}
