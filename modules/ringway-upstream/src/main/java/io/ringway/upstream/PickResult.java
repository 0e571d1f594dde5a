package io.ringway.upstream;

/**
 * What {@link UpstreamCluster#pick} returns: a lease on an endpoint, or why there is none. Sealed,
 * so callers switch over it and the compiler checks they handle a refusal.
 */
public sealed interface PickResult permits EndpointLease, Refusal {
}
