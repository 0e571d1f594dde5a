package io.ringway.upstream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A snapshot of one cluster's counters on one loop. Cluster totals include endpoints since removed,
 * so they never go backwards on an endpoint update.
 *
 * @param cluster the cluster's name
 * @param activeConnections leases in flight, pending ones included
 * @param pendingConnects leases still connecting
 * @param totalConnections leases ever handed out
 * @param connectFailures connects that failed or timed out
 * @param ejections outlier ejections
 * @param refusalEjections of those, ejections at a refused connect (no streak needed)
 * @param ejectionsOverflow ejections skipped because max-ejected-percent was reached
 * @param noHealthyEndpoint picks refused with {@link Refusal#NO_HEALTHY_ENDPOINT}
 * @param allTried picks refused with {@link Refusal#ALL_TRIED}
 * @param maxConnectionsHits picks that met {@link Refusal#MAX_CONNECTIONS}, refused or queued
 * @param maxPendingHits picks that met {@link Refusal#MAX_PENDING_CONNECTS}, refused or queued
 * @param pendingRequests requests waiting in the cluster's queue now
 * @param queuedRequests requests that ever waited in it
 * @param queueOverflows requests refused with {@link Refusal#MAX_PENDING_REQUESTS}: the queue was full
 * @param queueCancellations waiting requests that left before their turn (client gone, route timeout)
 * @param endpoints one entry per current endpoint, in the order of the endpoint set
 */
public record ClusterStats(String cluster, int activeConnections, int pendingConnects, long totalConnections,
                           long connectFailures, long ejections, long refusalEjections, long ejectionsOverflow, long noHealthyEndpoint,
                           long allTried, long maxConnectionsHits, long maxPendingHits, int pendingRequests,
                           long queuedRequests, long queueOverflows, long queueCancellations, List<EndpointStats> endpoints) {

  public ClusterStats {
    endpoints = List.copyOf(endpoints);
  }

  /** The endpoint entry for an address, or {@code null}. */
  public EndpointStats endpoint(String address) {
    return endpoints.stream().filter(e -> e.address().equals(address)).findFirst().orElse(null);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    endpoints.forEach(e -> array.add(e.toJson()));
    return new JsonObject()
        .put("cluster", cluster)
        .put("activeConnections", activeConnections)
        .put("pendingConnects", pendingConnects)
        .put("totalConnections", totalConnections)
        .put("connectFailures", connectFailures)
        .put("ejections", ejections)
        .put("refusalEjections", refusalEjections)
        .put("ejectionsOverflow", ejectionsOverflow)
        .put("noHealthyEndpoint", noHealthyEndpoint)
        .put("allTried", allTried)
        .put("maxConnectionsHits", maxConnectionsHits)
        .put("maxPendingHits", maxPendingHits)
        .put("pendingRequests", pendingRequests)
        .put("queuedRequests", queuedRequests)
        .put("queueOverflows", queueOverflows)
        .put("queueCancellations", queueCancellations)
        .put("endpoints", array);
  }
}
