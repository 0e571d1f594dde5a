package io.ringway.upstream;

import io.vertx.core.json.JsonObject;

/**
 * Counters of one endpoint on one loop; the admin API sums them over loops.
 *
 * @param address the endpoint's {@code host:port}
 * @param weight its current weight
 * @param healthy what the active health check last said (true when there is none)
 * @param ejected whether outlier detection has it out of rotation now
 * @param activeConnections leases in flight, pending ones included
 * @param pendingConnects leases still connecting
 * @param totalConnections leases ever handed out
 * @param connectFailures connects that failed or timed out
 * @param ejections times outlier detection ejected it
 */
public record EndpointStats(String address, int weight, boolean healthy, boolean ejected, int activeConnections,
                            int pendingConnects, long totalConnections, long connectFailures, long ejections) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("address", address)
        .put("weight", weight)
        .put("healthy", healthy)
        .put("ejected", ejected)
        .put("activeConnections", activeConnections)
        .put("pendingConnects", pendingConnects)
        .put("totalConnections", totalConnections)
        .put("connectFailures", connectFailures)
        .put("ejections", ejections);
  }
}
