package io.ringway.http.impl;

import io.vertx.core.json.JsonObject;

/** HTTP-level counters of one cluster on one loop, beside the cluster's own {@code ClusterStats}. */
final class UpstreamStats {

  /** Requests sent upstream (each try counts). */
  long requests;
  /** Tries that failed to connect or were reset before a response head. */
  long failures;
  /** Of the failures, HTTP/2 streams the upstream refused (REFUSED_STREAM: not processed, safe to retry). */
  long refusedStreams;
  /** Tries that passed their per-try timeout. */
  long tryTimeouts;
  /** Tries answered 502, 503 or 504 by the upstream. */
  long gatewayErrors;
  /**
   * Responses of this cluster relayed to clients (not the router's own 503/504), by status and by time
   * from the client's request head to the response's last byte, retries included.
   */
  final ResponseCounters responses = new ResponseCounters();

  JsonObject toJson() {
    return new JsonObject().put("httpRequests", requests).put("httpFailures", failures)
        .put("httpRefusedStreams", refusedStreams).put("httpTryTimeouts", tryTimeouts).put("httpGatewayErrors", gatewayErrors)
        .put("httpResponses", responses.addTo(new JsonObject()));
  }
}
