package io.ringway.http.impl;

import io.netty.channel.ChannelFutureListener;
import io.vertx.core.json.JsonObject;

/** Counters of one listener on one loop; every refusal has its own. Plain fields: owning loop only. */
final class ListenerStats {

  long connections;
  long requests;
  /** Requests no route matched (404). */
  long noRoute;
  /**
   * Requests refused with 400: ambiguous framing (CL+TE, bad or duplicate CL, bad chunk, obs-fold, bare LF), a head
   * outside RFC 9112's grammar, a missing, repeated or invalid Host, a request-target of the wrong form.
   */
  long badRequests;
  /** Requests refused as not implemented (501: CONNECT, transfer codings but chunked) or 505 (HTTP major version not 1). */
  long unsupportedRequests;
  /** Request heads over {@code maxHeaderBytes} (431). */
  long headerTooLarge;
  /** Request lines over the limit (414). */
  long uriTooLong;
  /** Bodies over {@code maxBodyBytes} (413). */
  long bodyTooLarge;
  /** Connections that did not send a full request head within {@code headerReadTimeout} (408). */
  long headerTimeouts;
  /** HTTP/2 streams the codec refused over {@code maxConcurrentStreams} (RST_STREAM REFUSED_STREAM). */
  long refusedStreams;
  /** Malformed HTTP/2 streams the codec reset (RST_STREAM with an error other than REFUSED_STREAM or CANCEL). */
  long streamErrors;
  /** Connections open now (a gauge); while draining they count as in flight. */
  long openConnections;
  /**
   * Takes a connection off {@link #openConnections} when it closes: one listener for all of the listener's
   * connections, whichever path counted them (a lambda per connection was 24 B of each).
   */
  final ChannelFutureListener openConnectionClosed = closed -> openConnections--;
  /** Connections accepted that have not sent a byte yet (a gauge): bare channels, no Vert.x connection yet. */
  long unreadConnections;
  /** Idle keep-alive connections parked now (a gauge): bare channels between two requests, see KeepAliveParking. */
  long parkedConnections;
  /** Times an idle keep-alive connection was parked. */
  long parks;
  /** Times a parked connection was handed back to the server: its next request came (or a drain began). */
  long parkedWoken;
  /** Responses a drain sent with {@code connection: close}, each closing its HTTP/1 connection after it. */
  long drainConnectionClose;
  /** HTTP/1 connections a drain closed while no request was open on them, after their spread delay. */
  long drainIdleClosed;
  /** HTTP/2 connections a drain sent GOAWAY. */
  long drainGoAways;
  /** Requests the byte-level path forwarded ({@code byteLevelHttp1}). */
  long byteLevelRequests;
  /** Times the byte-level path gave a connection to the decoding path, with a request it does not take. */
  long byteLevelHandOvers;
  /** Connections on the byte-level path now (a gauge). */
  long byteLevelConnections;
  /** Requests whose path was not in its normal form: forwarded (and routed) in it ({@link RequestPaths}). */
  long normalizedPaths;

  JsonObject toJson() {
    return new JsonObject().put("connections", connections).put("requests", requests).put("noRoute", noRoute)
        .put("badRequests", badRequests).put("unsupportedRequests", unsupportedRequests).put("headerTooLarge", headerTooLarge).put("uriTooLong", uriTooLong)
        .put("bodyTooLarge", bodyTooLarge).put("headerTimeouts", headerTimeouts)
        .put("refusedStreams", refusedStreams).put("streamErrors", streamErrors)
        .put("openConnections", openConnections).put("unreadConnections", unreadConnections)
        .put("parkedConnections", parkedConnections).put("parks", parks).put("parkedWoken", parkedWoken).put("drainConnectionClose", drainConnectionClose)
        .put("drainIdleClosed", drainIdleClosed).put("drainGoAways", drainGoAways)
        .put("byteLevelRequests", byteLevelRequests).put("byteLevelHandOvers", byteLevelHandOvers)
        .put("byteLevelConnections", byteLevelConnections).put("normalizedPaths", normalizedPaths);
  }
}
