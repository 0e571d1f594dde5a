package io.ringway.upstream;

/**
 * What {@link UpstreamCluster#pickOrWait} returns: a lease, a refusal, or a place in the cluster's queue of
 * requests waiting for room under its limits. Sealed, so callers handle all three.
 */
public sealed interface Admission permits EndpointLease, Refusal, PendingRequest {
}
