package io.ringway.spi.upstream;

/**
 * What a {@link LoadBalancer} may know about one pick. The cluster implements it over its per-loop
 * endpoint state, so balancers stay pure and never see health, ejection or retries directly.
 * Indices are positions in the endpoint list the balancer was created for.
 */
public interface PickContext {

  /** The consistent-hash key (L4: the source address; L7: a header or cookie), or {@code null} when there is none. */
  String hashKey();

  /** Whether the endpoint may be chosen now: healthy, not ejected, and not already tried by this request. */
  boolean isCandidate(int index);

  /** Connections or requests the endpoint has in flight on this event loop, for least-request balancing. */
  int activeRequests(int index);
}
