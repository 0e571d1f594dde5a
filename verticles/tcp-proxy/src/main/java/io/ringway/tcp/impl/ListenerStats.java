package io.ringway.tcp.impl;

import io.vertx.core.json.JsonObject;

/**
 * Counters of one listener on one loop; the admin API sums them over loops. Touched only on the
 * owning loop, so plain fields. Kept across a rebind of the listener, so they never go backwards.
 */
final class ListenerStats {

  /** Connections open now, from accept to both sockets closed. */
  int active;
  /** Connections accepted, refused ones included. */
  long total;
  /** Bytes read from clients and sent upstream. */
  long bytesIn;
  /** Bytes read from upstream and sent to clients. */
  long bytesOut;
  /** Connections refused because the listener was at {@code maxConnections}. */
  long limitHits;
  /** Connections whose PROXY header was malformed, too long or too slow. */
  long proxyProtocolRejects;
  /** Connections refused because a PROXY header was expected from an untrusted source. */
  long untrustedSources;
  /** Connections closed after {@code idleTimeout} without a byte either way. */
  long idleTimeouts;
  /** Upstream connect attempts that failed or timed out, retried ones included. */
  long connectFailures;
  /** Connections closed because no endpoint could be reached (refusal or retries exhausted). */
  long noUpstream;
  /** Connections ended by a reset from either side, which was passed on to the other. */
  long resets;
  /** Connections ended by another I/O error on either side. */
  long errors;
  /** Connections reset because the listener was over {@code maxConnectionsPerSecond}. */
  long rateLimited;
  /** With {@code sni}: connections a route took by the ClientHello's server name. */
  long sniRouted;
  /** With {@code sni}: connections no route took (unknown or no name, not TLS, too slow or too long) sent to the default. */
  long sniDefault;
  /** With {@code sni} and {@code unmatched: close}: connections no route took, closed. */
  long sniClosed;
  /** Of the unmatched: hellos not complete within {@code peekTimeout}. */
  long sniTimeouts;
  /** Of the unmatched: hellos not complete within {@code peekBytes}. */
  long sniTooLarge;

  JsonObject toJson() {
    return new JsonObject()
        .put("active", active)
        .put("connections", total)
        .put("bytesIn", bytesIn)
        .put("bytesOut", bytesOut)
        .put("limitHits", limitHits)
        .put("proxyProtocolRejects", proxyProtocolRejects)
        .put("untrustedSources", untrustedSources)
        .put("idleTimeouts", idleTimeouts)
        .put("connectFailures", connectFailures)
        .put("noUpstream", noUpstream)
        .put("resets", resets)
        .put("errors", errors)
        .put("rateLimited", rateLimited)
        .put("sniRouted", sniRouted)
        .put("sniDefault", sniDefault)
        .put("sniClosed", sniClosed)
        .put("sniTimeouts", sniTimeouts)
        .put("sniTooLarge", sniTooLarge);
  }
}
