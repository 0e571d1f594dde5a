package io.ringway.http.impl;

/**
 * The client stream ids an HTTP/2 connection skipped: opening stream 7 after stream 1 closes the idle streams
 * 3 and 5 for good (RFC 9113 §5.1.1), and a HEADERS frame on one of them later is an unexpected stream id, a
 * connection error PROTOCOL_ERROR. Netty cannot tell such an id from one that was opened and closed, and
 * answers both with a stream error; this remembers which ids were skipped, so {@link H2ResetCounter} can make
 * that answer a connection error. Ids only grow, so gaps are ranges; the newest {@value #MAX_GAPS} are kept
 * (a client that skips more often than that loses only the escalation for its oldest gaps).
 */
final class SkippedStreamIds {

  static final int MAX_GAPS = 32;

  private final int[] from = new int[MAX_GAPS];
  private final int[] to = new int[MAX_GAPS];
  private int gaps;
  private int next;
  private int lastOpened;

  /** @param lastOpened the highest client stream id the connection has already opened (0 for none) */
  SkippedStreamIds(int lastOpened) {
    this.lastOpened = lastOpened == 0 ? -1 : lastOpened;
  }

  /** A HEADERS frame came on client stream {@code id}; true when it opened the stream (not trailers). */
  boolean opened(int id) {
    if (id <= lastOpened) {
      return false;
    }
    if (id > lastOpened + 2) {
      from[next] = lastOpened + 2;
      to[next] = id - 2;
      next = (next + 1) % MAX_GAPS;
      gaps = Math.min(gaps + 1, MAX_GAPS);
    }
    lastOpened = id;
    return true;
  }

  /** Whether client stream {@code id} was skipped, never opened. */
  boolean skipped(int id) {
    for (int i = 0; i < gaps; i++) {
      if (id >= from[i] && id <= to[i]) {
        return true;
      }
    }
    return false;
  }
}
