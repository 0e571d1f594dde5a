package io.ringway.upstream;

/**
 * A request waiting in its cluster's queue for room under {@code maxConnections} and {@code maxPendingConnects}.
 * Its pick runs on the loop when its turn comes, first come first served, and the result (a lease, or a refusal
 * such as no healthy endpoint) goes to the callback given to {@link UpstreamCluster#pickOrWait}; exactly once,
 * unless cancelled first.
 */
public non-sealed interface PendingRequest extends Admission {

  /** Leaves the queue (the client went away, the route's timeout hit): the callback will not run. Idempotent. */
  void cancel();
}
