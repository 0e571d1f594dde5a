package io.ringway.http.impl;

import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import javax.net.ssl.SSLException;

/** HTTP-level counters of one cluster on one loop, beside the cluster's own {@code ClusterStats}. */
final class UpstreamStats {

  /** Requests sent upstream (each try counts). */
  long requests;
  /**
   * Requests sent on a new connection instead of an idle pooled one: their client connection's first, which could not
   * be sent again if the pooled connection turned out to be closing ({@link RetryDecision#needsNewConnection}).
   */
  long newConnectionRequests;
  /**
   * Requests whose pooled upstream connection ended unanswered and that got no further try, left to their client to
   * retry ({@link RetryDecision#leftToClient}): an HTTP/1 client's connection closed unanswered, an HTTP/2 stream refused.
   */
  long leftToClientRetry;
  /** Tries that failed to connect or were reset before a response head. */
  long failures;
  /** Of the failures, HTTP/2 streams the upstream refused (REFUSED_STREAM: not processed, safe to retry). */
  long refusedStreams;
  /** Tries that passed their per-try timeout. */
  long tryTimeouts;
  /**
   * Upstream responses refused as malformed (bad status line or head, head over the limit, status outside
   * 100..599, interim-response storm, a 1xx Vert.x cannot carry), plus connections closed for bytes that came
   * after a response's end or with no request sent.
   */
  long badResponses;
  /** Upstream streams reset (HTTP/2 RST_STREAM) or connections reset mid-exchange, before or after the head. */
  long upstreamResets;
  /** Of the failures, TLS handshakes that failed: an untrusted chain, a name mismatch, a refused client cert. */
  long tlsFailures;
  /** Tries answered 502, 503 or 504 by the upstream. */
  long gatewayErrors;
  /**
   * Responses of this cluster relayed to clients (not the router's own 503/504), by status and by time
   * from the client's request head to the response's last byte, retries included.
   */
  final ResponseCounters responses = new ResponseCounters();

  /** Counts a failed try or a broken response body by its cause: a malformed response or a reset. */
  void countFailure(Throwable cause) {
    if (cause instanceof BadUpstreamResponse) {
      badResponses++;
    } else if (cause instanceof SSLException) {
      tlsFailures++;
    } else if (cause instanceof StreamResetException
        || cause instanceof IOException io && io.getMessage() != null && io.getMessage().contains("reset")) {
      // RST_STREAM on HTTP/2; ECONNRESET ("Connection reset by peer") on HTTP/1.
      upstreamResets++;
    }
  }

  JsonObject toJson() {
    return new JsonObject().put("httpRequests", requests).put("httpNewConnectionRequests", newConnectionRequests)
        .put("httpLeftToClientRetry", leftToClientRetry)
        .put("httpFailures", failures)
        .put("httpRefusedStreams", refusedStreams).put("httpTryTimeouts", tryTimeouts).put("httpGatewayErrors", gatewayErrors)
        .put("httpBadResponses", badResponses).put("httpUpstreamResets", upstreamResets)
        .put("httpTlsFailures", tlsFailures)
        .put("httpResponses", responses.addTo(new JsonObject()));
  }
}
