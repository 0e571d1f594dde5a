package io.ringway.http;

/**
 * What one proxy did with one case, as the client and the backend saw it.
 *
 * @param kind the class compared across proxies
 * @param status the first final status (0: none)
 * @param seen request heads the backend saw during the exchange
 * @param completed requests the backend read to their end (and answered)
 * @param responses final responses read
 * @param unhandled exceptions that reached Vert.x unhandled during the exchange (Ringway only)
 * @param excerpt the first bytes of the raw answer, escaped
 */
record Answer(Kind kind, int status, int seen, int completed, int responses, int unhandled, String excerpt) {

  enum Kind {
    /** The backend read the request to its end, or its marked answer came back. */
    FORWARDED,
    /** A status line from the proxy itself, nothing completed at the backend. */
    REFUSED,
    /** The connection ended before any byte came back. */
    CLOSED,
    /** Nothing came back and the connection stayed open until the client gave up. */
    HELD,
    /** Bytes that are not an HTTP/1.x response, a torn head, or a 101 with nothing forwarded. */
    OTHER
  }

  static Answer classify(Exchange.Observation seenByClient, int seen, int completed, int unhandled) {
    ResponseStream stream = seenByClient.stream();
    int status = stream.finals.isEmpty() ? 0 : stream.finals.get(0).status();
    boolean marked = stream.finals.stream().anyMatch(ResponseStream.Response::marked);
    Kind kind;
    if (marked || completed > 0) {
      kind = Kind.FORWARDED;
    } else if (status >= 200) {
      kind = Kind.REFUSED;
    } else if (seenByClient.anyByte()) {
      kind = Kind.OTHER;
    } else {
      kind = seenByClient.closed() ? Kind.CLOSED : Kind.HELD;
    }
    return new Answer(kind, status, seen, completed, stream.finals.size(), unhandled, seenByClient.excerpt());
  }

  /** Whether the proxy sent a status line of its own or the backend's. */
  boolean answered() {
    return kind == Kind.FORWARDED || kind == Kind.REFUSED;
  }

  /**
   * Whether two answers agree: same class; refusals agree whatever their codes (400 and 501 are both "this
   * request is not for me", and the RFCs often allow either), forwards whatever the backend status.
   */
  boolean agrees(Answer other) {
    return kind == other.kind;
  }

  /** Short form for the report: {@code REFUSED 400}, {@code FORWARDED 200 h1/c1}, {@code HELD}. */
  String brief() {
    StringBuilder out = new StringBuilder(kind.name());
    if (status > 0) {
      out.append(' ').append(status);
    }
    if (responses > 1) {
      out.append(" x").append(responses);
    }
    if (seen > 0 || completed > 0) {
      out.append(" h").append(seen).append("/c").append(completed);
    }
    if (unhandled > 0) {
      out.append(" !unhandled=").append(unhandled);
    }
    return out.toString();
  }
}
