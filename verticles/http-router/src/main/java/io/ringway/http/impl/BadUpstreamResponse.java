package io.ringway.http.impl;

/**
 * An upstream's HTTP/1 response the router will not relay: unparsable status line or head, a head over the
 * client's limit, a status outside 100..599, too many interim responses. Counted as {@code badResponses}.
 */
final class BadUpstreamResponse extends RuntimeException {

  BadUpstreamResponse(String message) {
    // No stack trace: the message says all, and an upstream can cause many.
    super(message, null, false, false);
  }
}
