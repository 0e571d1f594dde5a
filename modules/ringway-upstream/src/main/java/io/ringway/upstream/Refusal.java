package io.ringway.upstream;

/** Why a cluster gave no endpoint; each one is counted in {@link ClusterStats}. */
public enum Refusal implements PickResult, Admission {
  /** Every endpoint is unhealthy or ejected, or the cluster has none. */
  NO_HEALTHY_ENDPOINT,
  /** Healthy endpoints exist but this request already tried each of them. */
  ALL_TRIED,
  /** The circuit breaker's connection limit is reached on this loop. */
  MAX_CONNECTIONS,
  /** The circuit breaker's pending-connect limit is reached on this loop. */
  MAX_PENDING_CONNECTS,
  /** The cluster is at its limits and its queue of waiting requests is full on this loop. */
  MAX_PENDING_REQUESTS;

  /** Whether this refusal is the cluster at one of its limits (overload), not the state of its endpoints. */
  public boolean isLimit() {
    return this == MAX_CONNECTIONS || this == MAX_PENDING_CONNECTS || this == MAX_PENDING_REQUESTS;
  }
}
