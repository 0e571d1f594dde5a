package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** ASCII helpers of the byte-level HTTP/1 path: comparisons and trims in a received buffer, without Strings. */
final class AsciiBytes {

  static final byte[] CRLF = {'\r', '\n'};
  /** RFC 9110 §5.6.2 tchar. */
  static final boolean[] TCHAR = new boolean[256];
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  static {
    for (char c : "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private AsciiBytes() {
  }

  /** Whether the {@code length} bytes at {@code at} are {@code lower} (lower-case ASCII), ignoring case. */
  static boolean is(ByteBuf b, int at, int length, String lower) {
    if (length != lower.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (lower(b.getByte(at + i)) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes name one of {@code names} (compared ignoring case); names from config, so few. */
  static boolean isAny(ByteBuf b, int at, int length, Iterable<String> names) {
    for (String name : names) {
      if (name.length() == length && equalsIgnoreCase(b, at, name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean equalsIgnoreCase(ByteBuf b, int at, String name) {
    for (int i = 0; i < name.length(); i++) {
      if (lower(b.getByte(at + i)) != lower(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  /** The first index at or after {@code from} that is not SP or HTAB, at most {@code to}. */
  static int skipSpace(ByteBuf b, int from, int to) {
    while (from < to && (b.getByte(from) == ' ' || b.getByte(from) == '\t')) {
      from++;
    }
    return from;
  }

  /** {@code to} moved back over trailing SP and HTAB, not before {@code from}. */
  static int trimEnd(ByteBuf b, int from, int to) {
    while (to > from && (b.getByte(to - 1) == ' ' || b.getByte(to - 1) == '\t')) {
      to--;
    }
    return to;
  }

  static String string(ByteBuf b, int from, int to) {
    return b.toString(from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code name: value\r\n}. */
  static void field(ByteBuf out, String name, String value) {
    out.writeCharSequence(name, StandardCharsets.ISO_8859_1);
    out.writeByte(':').writeByte(' ');
    out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
    out.writeBytes(CRLF);
  }

  /** Writes a rewrite's {@code set} fields. */
  static void fields(ByteBuf out, Map<String, String> set) {
    if (!set.isEmpty()) {
      set.forEach((name, value) -> field(out, name, value));
    }
  }

  /** Whether a rewrite removes or sets the field named by those bytes (so the message's own lines are dropped). */
  static boolean rewritten(ByteBuf b, int at, int length, List<String> remove, Map<String, String> set) {
    return !remove.isEmpty() && isAny(b, at, length, remove) || !set.isEmpty() && isAny(b, at, length, set.keySet());
  }

  /**
   * Whether a rewrite removes or sets {@code name} (lower case). Asked several times per request, mostly of empty
   * rewrites: those return before an iterator is made, which escape analysis removed in some runs and not in others.
   */
  static boolean rewrites(String name, List<String> remove, Map<String, String> set) {
    if (remove.isEmpty() && set.isEmpty()) {
      return false;
    }
    for (String removed : remove) {
      if (removed.equalsIgnoreCase(name)) {
        return true;
      }
    }
    for (String key : set.keySet()) {
      if (key.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A head's bytes copied out of the received buffer once, into an array reused for every head of the loop, so its
   * pieces go into the outgoing head, and its strings are made, without an allocation each: Netty copies from a
   * direct buffer at an index through a {@code ByteBuffer} duplicate or slice when {@code sun.misc.Unsafe} is off
   * (JDK 25), ~64 bytes every time.
   */
  static final class Snapshot {

    private byte[] bytes = new byte[4096];
    private int base;
    private int filled;
    /** Byte by byte: the one way out of a direct buffer that allocates nothing (made once). */
    private final ByteProcessor sink = value -> {
      bytes[filled++] = value;
      return true;
    };

    /** Copies {@code b}'s bytes from {@code from} to {@code to}; pieces of them then go out with {@link #copy}. */
    void take(ByteBuf b, int from, int to) {
      int length = to - from;
      if (bytes.length < length) {
        bytes = new byte[Math.max(length, bytes.length * 2)];
      }
      filled = 0;
      b.forEachByte(from, length, sink);
      base = from;
    }

    /** The bytes taken from {@code from} to {@code to} as a String (ISO-8859-1: one char per byte, as Netty's). */
    String string(int from, int to) {
      return new String(bytes, from - base, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Writes the bytes taken from {@code from} to {@code to} (indexes of the buffer they were taken from). */
    void copy(ByteBuf out, int from, int to) {
      out.writeBytes(bytes, from - base, to - from);
    }
  }

  /** A version-4 UUID's 36 characters as {@link java.util.UUID#toString} writes them, without a String. */
  static void uuid(ByteBuf out, long high, long low) {
    for (int i = 15; i >= 0; i--) {
      out.writeByte(HEX[(int) (high >>> (i * 4)) & 0xF]);
      if (i == 8 || i == 4) {
        out.writeByte('-');
      }
    }
    out.writeByte('-');
    for (int i = 15; i >= 0; i--) {
      out.writeByte(HEX[(int) (low >>> (i * 4)) & 0xF]);
      if (i == 12) {
        out.writeByte('-');
      }
    }
  }

  /** Writes {@code value} in lower-case hex (a chunk size). */
  static void hex(ByteBuf out, long value) {
    int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(value)) / 4);
    for (int i = digits - 1; i >= 0; i--) {
      out.writeByte(HEX[(int) (value >>> (i * 4)) & 0xF]);
    }
  }
}
