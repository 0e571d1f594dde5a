package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP/1.1 request head as the byte-level path reads it, in the received buffer: checked byte by byte with the
 * router's own grammar ({@link RequestHeadGrammar}), then taken only when it is a request the path answers exactly as
 * the decoding path would: GET or HEAD without a body, or POST or PUT with one {@code Content-Length} of plain digits
 * (no {@code Transfer-Encoding}); HTTP/1.1, origin-form target, one valid Host, no {@code Upgrade}, {@code Expect},
 * {@code TE} or {@code HTTP2-Settings}, and {@code Connection} only {@code keep-alive} or {@code close}. Anything
 * else is {@link #HAND_OVER}: the decoding path gets the same bytes and answers (or refuses) them as always, so this
 * path is never the one that decides a doubtful request. One per listener and loop, reused for every head read there:
 * what it found is used before the next head is read.
 */
final class ByteRequestHead {

  /** Not a whole head yet, and nothing seen so far sends it elsewhere. */
  static final int INCOMPLETE = 0;
  /** A head this path forwards. */
  static final int TAKE = 1;
  /** The decoding path's: anything odd, refused, large, chunked or of another method. */
  static final int HAND_OVER = 2;

  /** Header lines a head may have here; more go to the decoding path. */
  private static final int MAX_LINES = 96;
  /** Kinds of header line, by what the upstream head does with it. */
  static final byte COPY = 0;
  static final byte DROP = 1;
  static final byte CLIENT_CERT = 2;

  /** The methods taken; a body (Content-Length) only with those after HEAD. */
  static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT};
  static final int HEAD = 1;
  /** Each method as its request line starts. */
  private static final byte[][] METHOD_SP = Arrays.stream(METHODS)
      .map(method -> (method.name() + " ").getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
  /** Content-Length digits taken (up to ~10^15 bytes); a longer value is the decoding path's to judge. */
  private static final int MAX_LENGTH_DIGITS = 15;
  private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);

  private final RequestHeadGrammar grammar = new RequestHeadGrammar();
  /** The listener's {@code mergeSlashes}: a path {@link RequestPaths} would change is the decoding path's. */
  private final boolean mergeSlashes;
  /** Per header line: its start, the colon's index, its end (after CRLF); and its kind. */
  final int[] lineStart = new int[MAX_LINES];
  final int[] lineColon = new int[MAX_LINES];
  final int[] lineEnd = new int[MAX_LINES];
  final byte[] kind = new byte[MAX_LINES];
  int lines;
  /** Index of the head's first byte, of the target and after it, of the '?' (or -1), after the empty line. */
  int start;
  int targetStart;
  int targetEnd;
  int queryMark;
  int end;
  /** Index into {@link #METHODS}. */
  int method;
  /** The body's length from Content-Length, or -1 without one. */
  long contentLength;
  boolean closeAfter;
  private boolean connection;
  int hostStart;
  int hostEnd;
  /** Where the Host value's name ends (its ':' or its end). */
  int hostNameEnd;
  /** The first x-forwarded-for / via value (start, end), or -1. */
  int forwardedForStart;
  int forwardedForEnd;
  int viaStart;
  int viaEnd;
  int userAgentStart;
  int userAgentEnd;
  int requestIdStart;
  int requestIdEnd;

  ByteRequestHead(boolean mergeSlashes) {
    this.mergeSlashes = mergeSlashes;
  }

  /**
   * Reads the head at {@code b}'s reader index.
   *
   * @param maxHeaderBytes the listener's limit: a head near it goes to the decoding path, which answers 431 or 414
   * @param clientCertHeader the name (lower case) whose client-sent lines every listener drops
   */
  int read(ByteBuf b, int maxHeaderBytes, String clientCertHeader) {
    start = b.readerIndex();
    int limit = b.writerIndex();
    // Margins below the decoder's limits: a head at a limit's edge is the decoding path's to measure and answer.
    int maxHead = maxHeaderBytes - 64;
    int maxLine = Math.min(maxHeaderBytes, 8192) - 64;
    if (!ByteLevelHttp1.mayTake(b)) {
      return HAND_OVER;
    }
    grammar.reset();
    int i = start;
    int lineBegin = start;
    lines = 0;
    // The plain runs stop short of the byte at maxHead, which next() then takes and the check below refuses.
    int plainLimit = maxHead >= limit - start ? limit : start + Math.max(maxHead, 0);
    for (; i < limit; i++) {
      i = grammar.skipPlain(b, i, plainLimit);
      if (i == limit) {
        break;
      }
      byte c = b.getByte(i);
      int verdict = grammar.next(c);
      if (verdict == RequestHeadGrammar.BAD) {
        return HAND_OVER;
      }
      if (i - start >= maxHead) {
        return HAND_OVER;
      }
      if (c != '\n') {
        continue;
      }
      if (lineBegin == start) {
        if (i - start >= maxLine || !requestLine(b, start, i + 1)) {
          return HAND_OVER;
        }
        hostStart = -1;
        forwardedForStart = -1;
        viaStart = -1;
        userAgentStart = -1;
        requestIdStart = -1;
        contentLength = -1;
        closeAfter = false;
        connection = false;
      } else if (verdict != RequestHeadGrammar.DONE) {
        if (lines == MAX_LINES || !field(b, lineBegin, i + 1, clientCertHeader)) {
          return HAND_OVER;
        }
      }
      lineBegin = i + 1;
      if (verdict == RequestHeadGrammar.DONE) {
        end = i + 1;
        // A body only where its length is given and the method is one that carries one here.
        boolean bodyFits = method > HEAD ? contentLength >= 0 : contentLength < 0;
        return hostStart >= 0 && bodyFits && host(b) ? TAKE : HAND_OVER;
      }
    }
    return INCOMPLETE;
  }

  /** One of {@link #METHODS}, one SP, an origin-form target, one SP, {@code HTTP/1.1}; case-sensitive. */
  private boolean requestLine(ByteBuf b, int from, int to) {
    method = -1;
    for (int m = 0; m < METHOD_SP.length; m++) {
      if (exactly(b, from, METHOD_SP[m])) {
        method = m;
        break;
      }
    }
    if (method < 0) {
      return false;
    }
    targetStart = from + METHOD_SP[method].length;
    if (b.getByte(targetStart) != '/') {
      return false;
    }
    targetEnd = b.indexOf(targetStart, to, (byte) ' ');
    if (targetEnd < 0 || to - targetEnd != VERSION.length || !exactly(b, targetEnd, VERSION)) {
      return false;
    }
    queryMark = b.indexOf(targetStart, targetEnd, (byte) '?');
    // A path to normalize is the decoding path's (RequestPaths): rare, and that path sets the request's path in place.
    return RequestPaths.isNormal(b, targetStart, queryMark < 0 ? targetEnd : queryMark, mergeSlashes);
  }

  private static boolean exactly(ByteBuf b, int at, byte[] expected) {
    if (b.writerIndex() - at < expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (b.getByte(at + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /** Classifies one field line; false when the line sends the head to the decoding path. */
  private boolean field(ByteBuf b, int from, int to, String clientCertHeader) {
    int colon = b.indexOf(from, to, (byte) ':');
    int nameLength = colon - from;
    int valueStart = AsciiBytes.skipSpace(b, colon + 1, to - 2);
    int valueEnd = AsciiBytes.trimEnd(b, valueStart, to - 2);
    byte lineKind = COPY;
    if (is(b, from, nameLength, "host")) {
      if (hostStart >= 0) {
        return false;
      }
      hostStart = valueStart;
      hostEnd = valueEnd;
      lineKind = DROP;
    } else if (is(b, from, nameLength, "content-length")) {
      if (contentLength >= 0 || !length(b, valueStart, valueEnd)) {
        return false;
      }
    } else if (is(b, from, nameLength, "transfer-encoding")
        || is(b, from, nameLength, "upgrade") || is(b, from, nameLength, "expect") || is(b, from, nameLength, "te")
        || is(b, from, nameLength, "http2-settings")
        || MisreadFieldNames.misreadAs(b, from, nameLength) != null) {
      return false;
    } else if (is(b, from, nameLength, "connection")) {
      if (connection) {
        return false;
      }
      connection = true;
      if (AsciiBytes.is(b, valueStart, valueEnd - valueStart, "close")) {
        closeAfter = true;
      } else if (!AsciiBytes.is(b, valueStart, valueEnd - valueStart, "keep-alive")) {
        return false;
      }
      lineKind = DROP;
    } else if (AsciiBytes.isAny(b, from, nameLength, ProxyHeaders.HOP_BY_HOP_NAMES)
        || is(b, from, nameLength, "x-forwarded-proto") || is(b, from, nameLength, "x-forwarded-host")
        || is(b, from, nameLength, "forwarded")) {
      // Hop-by-hop (RFC 9110 §7.6.1), set by the router itself, or a client's claim about them (ProxyHeaders).
      lineKind = DROP;
    } else if (is(b, from, nameLength, "x-forwarded-for")) {
      if (forwardedForStart < 0) {
        forwardedForStart = valueStart;
        forwardedForEnd = valueEnd;
      }
      lineKind = DROP;
    } else if (is(b, from, nameLength, "via")) {
      if (viaStart < 0) {
        viaStart = valueStart;
        viaEnd = valueEnd;
      }
      lineKind = DROP;
    } else if (is(b, from, nameLength, "x-request-id")) {
      if (requestIdStart < 0) {
        requestIdStart = valueStart;
        requestIdEnd = valueEnd;
      }
    } else if (is(b, from, nameLength, "user-agent")) {
      if (userAgentStart < 0) {
        userAgentStart = valueStart;
        userAgentEnd = valueEnd;
      }
    } else if (AsciiBytes.is(b, from, nameLength, clientCertHeader)) {
      // What this listener verified, never what the client wrote: not routed on, not forwarded.
      lineKind = CLIENT_CERT;
    }
    lineStart[lines] = from;
    lineColon[lines] = colon;
    lineEnd[lines] = to;
    kind[lines] = lineKind;
    lines++;
    return true;
  }

  /** A Content-Length of plain digits, without a leading zero (but "0"); anything else is the decoding path's. */
  private boolean length(ByteBuf b, int from, int to) {
    int digits = to - from;
    if (digits < 1 || digits > MAX_LENGTH_DIGITS || digits > 1 && b.getByte(from) == '0') {
      return false;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int c = b.getByte(i);
      if (c < '0' || c > '9') {
        return false;
      }
      value = value * 10 + c - '0';
    }
    contentLength = value;
    return true;
  }

  String method() {
    return METHODS[method].name();
  }

  private static boolean is(ByteBuf b, int at, int length, String lower) {
    return AsciiBytes.is(b, at, length, lower);
  }

  /** A Host the decoding path takes as is: reg-name (no percent-escapes), optional port up to 65535. */
  private boolean host(ByteBuf b) {
    if (hostEnd == hostStart) {
      return false;
    }
    int colon = b.indexOf(hostStart, hostEnd, (byte) ':');
    int nameEnd = colon < 0 ? hostEnd : colon;
    hostNameEnd = nameEnd;
    if (nameEnd == hostStart) {
      return false;
    }
    for (int i = hostStart; i < nameEnd; i++) {
      int c = b.getByte(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~')) {
        return false;
      }
    }
    if (colon >= 0) {
      if (hostEnd - colon - 1 < 1 || hostEnd - colon - 1 > 5 || hostEnd - colon - 1 > 1 && b.getByte(colon + 1) == '0') {
        // An empty port, or one with a leading zero: handed over, the decoding path forwards them normalized (h, h:8080).
        return false;
      }
      int port = 0;
      for (int i = colon + 1; i < hostEnd; i++) {
        int c = b.getByte(i);
        if (c < '0' || c > '9') {
          return false;
        }
        port = port * 10 + c - '0';
      }
      if (port > 65535) {
        return false;
      }
    }
    return true;
  }

  /** The host without its port, lower case, as routes match it; from the head's {@code snapshot}. */
  String routingHost(AsciiBytes.Snapshot snapshot) {
    return RouteRequest.routingHost(snapshot.string(hostStart, hostNameEnd));
  }

  String path(AsciiBytes.Snapshot snapshot) {
    return snapshot.string(targetStart, queryMark < 0 ? targetEnd : queryMark);
  }

  /** The request's fields, trimmed, for routes that match on them (header routes only: made for no other). */
  MultiMap headers(ByteBuf b) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int line = 0; line < lines; line++) {
      if (kind[line] == CLIENT_CERT) {
        continue;
      }
      int colon = lineColon[line];
      int valueStart = AsciiBytes.skipSpace(b, colon + 1, lineEnd[line] - 2);
      headers.add(AsciiBytes.string(b, lineStart[line], colon),
          AsciiBytes.string(b, valueStart, AsciiBytes.trimEnd(b, valueStart, lineEnd[line] - 2)));
    }
    return headers;
  }
}
