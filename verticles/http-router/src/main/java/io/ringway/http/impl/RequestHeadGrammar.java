package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;

/**
 * The byte grammar of an HTTP/1.1 request head (RFC 9112 §2.2, §3, §5), checked one byte at a time as bytes
 * arrive, so a head is refused at the first byte no request may contain instead of when it is complete (or
 * never, when it never completes: Netty skips leading control bytes and waits). Netty still parses the
 * head; this only says no earlier and more strictly.
 *
 * <p>Choices where RFC 9112 lets a recipient choose: empty lines before the request line are skipped
 * (§2.2 SHOULD); runs of SP between the request-line's parts are taken as one (§3 MAY, as nginx and HAProxy
 * do; Ringway forwards a request line of its own, so no other hop sees the extra spaces); a line starting
 * with whitespace (obs-fold, or whitespace before the first field) is refused (§2.2, §5.2 allow refusing); a
 * bare CR is refused (§2.2). The request-target may hold any visible ASCII byte but {@code #} (no
 * fragment, §3.2); bytes above 0x7E are refused, as HAProxy does.
 */
final class RequestHeadGrammar {

  /** The head is not complete yet and nothing in it is wrong so far. */
  static final int MORE = 0;
  /** The head ended with the byte just read (the LF of its empty line). */
  static final int DONE = 1;
  /** The byte just read cannot be part of a request head. */
  static final int BAD = 2;

  private static final int START = 0;
  private static final int START_LF = 1;
  private static final int METHOD = 2;
  private static final int TARGET_START = 3;
  private static final int TARGET = 4;
  private static final int VERSION_START = 5;
  private static final int VERSION = 6;
  private static final int LINE_LF = 7;
  private static final int FIELD_START = 8;
  private static final int NAME = 9;
  private static final int VALUE = 10;
  private static final int END_LF = 11;
  private static final int FINISHED = 12;

  private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
  /** RFC 9110 §5.6.2 tchar. */
  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private int state = START;
  /** Bytes of the version read so far ("HTTP/1.1" is 8). */
  private int versionLength;
  private String reason;

  /** Takes the next byte of the stream; once it said {@link #DONE} or {@link #BAD} it must be {@link #reset}. */
  int next(byte value) {
    int b = value & 0xFF;
    switch (state) {
      case START -> {
        if (b == '\r') {
          state = START_LF;
        } else if (TCHAR[b]) {
          state = METHOD;
        } else {
          return bad("a request must start with a method, got " + describe(b));
        }
      }
      case START_LF -> {
        if (b != '\n') {
          return bad("CR not followed by LF before the request line");
        }
        state = START;
      }
      case METHOD -> {
        if (b == ' ') {
          state = TARGET_START;
        } else if (!TCHAR[b]) {
          return bad("invalid byte " + describe(b) + " in the method");
        }
      }
      case TARGET_START, TARGET -> {
        if (b == ' ') {
          if (state == TARGET) {
            state = VERSION_START;
          }
        } else if (targetByte(b)) {
          state = TARGET;
        } else {
          return bad(b == '\r' || b == '\n' ? "request line without an HTTP version"
              : "invalid byte " + describe(b) + " in the request-target");
        }
      }
      case VERSION_START, VERSION -> {
        if (state == VERSION_START && b == ' ') {
          return MORE;
        }
        state = VERSION;
        if (versionLength < HTTP_SLASH.length ? b != HTTP_SLASH[versionLength]
            : versionLength == 6 ? b != '.' : versionLength > 7 ? b != '\r' : b < '0' || b > '9') {
          return bad("the HTTP version must be HTTP/<digit>.<digit> then CRLF");
        }
        if (++versionLength == 9) {
          state = LINE_LF;
        }
      }
      case LINE_LF, END_LF -> {
        if (b != '\n') {
          return bad("CR not followed by LF");
        }
        if (state == END_LF) {
          state = FINISHED;
          return DONE;
        }
        state = FIELD_START;
      }
      case FIELD_START -> {
        if (b == '\r') {
          state = END_LF;
        } else if (TCHAR[b]) {
          state = NAME;
        } else {
          return bad(b == ' ' || b == '\t' ? "a field line must not start with whitespace (obs-fold)"
              : b == ':' ? "empty field name" : "invalid byte " + describe(b) + " in a field name");
        }
      }
      case NAME -> {
        if (b == ':') {
          state = VALUE;
        } else if (!TCHAR[b]) {
          return bad(b == ' ' || b == '\t' ? "whitespace between a field name and its colon"
              : "invalid byte " + describe(b) + " in a field name");
        }
      }
      case VALUE -> {
        if (b == '\r') {
          state = LINE_LF;
        } else if (!valueByte(b)) {
          return bad("invalid byte " + describe(b) + " in a field value");
        }
      }
      default -> throw new IllegalStateException("next() after the head ended");
    }
    return MORE;
  }

  /**
   * Reads from {@code from} up to {@code to} the bytes that {@link #next} would take without a change of state,
   * and returns the index of the first byte it did not take (maybe {@code from}; {@code to} when it took all): in
   * a request-target, a field name or a field value most bytes are such, and this loop is what a head costs
   * (issue 17's profiles). Never a line feed, so a caller that acts at line ends misses none.
   */
  int skipPlain(ByteBuf b, int from, int to) {
    int i = from;
    switch (state) {
      case VALUE -> {
        while (i < to && valueByte(b.getByte(i) & 0xFF)) {
          i++;
        }
      }
      case NAME -> {
        while (i < to && TCHAR[b.getByte(i) & 0xFF]) {
          i++;
        }
      }
      case TARGET -> {
        while (i < to && targetByte(b.getByte(i) & 0xFF)) {
          i++;
        }
      }
      default -> {
      }
    }
    return i;
  }

  /** A byte of a request-target: visible ASCII but {@code #}. */
  static boolean targetByte(int b) {
    return b > 0x20 && b < 0x7F && b != '#';
  }

  /** A byte of a field value but its CR: VCHAR, obs-text, SP or HTAB. */
  private static boolean valueByte(int b) {
    return b >= 0x20 ? b != 0x7F : b == '\t';
  }

  /** No byte of a head read since the last {@link #reset} (empty lines before a request aside). */
  boolean atStart() {
    return state == START;
  }

  void reset() {
    state = START;
    versionLength = 0;
    reason = null;
  }

  /** Starts over at a field line: the trailer section after a last chunk has the grammar of a head's fields. */
  void startTrailers() {
    reset();
    state = FIELD_START;
  }

  /** Why the last byte was {@link #BAD}. */
  String reason() {
    return reason;
  }

  private int bad(String why) {
    reason = why;
    state = FINISHED;
    return BAD;
  }

  private static String describe(int b) {
    return b > 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format("0x%02X", b);
  }
}
