package io.ringway.upstream;

/** Why a cluster gave no endpoint; each one is counted in {@link ClusterStats}. */
public enum Refusal implements PickResult {
  /** Every endpoint is unhealthy or ejected, or the cluster has none. */
  NO_HEALTHY_ENDPOINT,
  /** Healthy endpoints exist but this request already tried each of them. */
  ALL_TRIED,
  /** The circuit breaker's connection limit is reached on this loop. */
  MAX_CONNECTIONS,
  /** The circuit breaker's pending-connect limit is reached on this loop. */
  MAX_PENDING_CONNECTS
}
