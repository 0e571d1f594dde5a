package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpObjectDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Chunk-size lines (RFC 9112 §7.1), checked before Netty reads them. Netty 4.2.12 refused a valid line whose
 * last extension has a token value ({@code 5;ext=1}) and accepted lines no peer does ({@code " 5"},
 * {@code "5\r\r\n"}); 4.2.18 refuses whitespace after the size unless an extension follows ({@code "5 "}), and
 * so the extensions this class used to blank with SP. Here a line is a hex size, optional whitespace, then
 * either CRLF or extensions up to CRLF. Extensions, which a recipient MUST ignore (§7.1.1), are not judged beyond
 * holding no CR, LF or NUL, as nginx and HAProxy accept any (Ringway forwards none of them, so no later hop can
 * read them differently): whatever follows the size is overwritten by moving the size's digits to the line's end
 * behind leading zeros ({@code 5;ext=1} reads {@code 0000005}), which any chunk-size parser takes. The same state
 * tells the decoder when the trailer section starts, whose field lines it checks like a head's. Reading Netty's
 * private decoder state is the price: if that field ever moves, this turns itself off and Netty's own parsing
 * stays.
 */
final class ChunkExtensions {

  /** The line is not complete yet. */
  static final int INCOMPLETE = 0;
  /** The line is valid (and its extensions, if any, blanked). */
  static final int VALID = 1;
  /** The line cannot be a chunk-size line. */
  static final int INVALID = 2;

  private static final VarHandle STATE;
  private static final Object READ_CHUNK_SIZE;
  private static final Object READ_CHUNK_FOOTER;

  static {
    VarHandle state = null;
    Object readChunkSize = null;
    Object readChunkFooter = null;
    try {
      Class<?> states = Class.forName(HttpObjectDecoder.class.getName() + "$State");
      state = MethodHandles.privateLookupIn(HttpObjectDecoder.class, MethodHandles.lookup())
          .findVarHandle(HttpObjectDecoder.class, "currentState", states);
      for (Object constant : states.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals("READ_CHUNK_SIZE")) {
          readChunkSize = constant;
        } else if (((Enum<?>) constant).name().equals("READ_CHUNK_FOOTER")) {
          readChunkFooter = constant;
        }
      }
    } catch (ReflectiveOperationException | RuntimeException unavailable) {
      state = null;
    }
    STATE = readChunkSize == null || readChunkFooter == null ? null : state;
    READ_CHUNK_SIZE = readChunkSize;
    READ_CHUNK_FOOTER = readChunkFooter;
  }

  private ChunkExtensions() {
  }

  /** Whether the decoder is about to read a chunk-size line. */
  static boolean atChunkSize(HttpObjectDecoder decoder) {
    return STATE != null && STATE.get(decoder) == READ_CHUNK_SIZE;
  }

  /** Whether the decoder is about to read the trailer section after the last chunk. */
  static boolean atTrailers(HttpObjectDecoder decoder) {
    return STATE != null && STATE.get(decoder) == READ_CHUNK_FOOTER;
  }

  /** Checks the chunk-size line at the reader index; when it is valid, leaves only its size, behind leading zeros. */
  static int inspect(ByteBuf buffer) {
    int start = buffer.readerIndex();
    int lf = buffer.indexOf(start, buffer.writerIndex(), (byte) '\n');
    if (lf < 0) {
      return INCOMPLETE;
    }
    int i = start;
    while (i < lf && Character.digit(buffer.getByte(i), 16) >= 0) {
      i++;
    }
    int digitsEnd = i;
    if (i == start || lf == start || buffer.getByte(lf - 1) != '\r') {
      return INVALID;
    }
    int cr = lf - 1;
    while (i < cr && (buffer.getByte(i) == ' ' || buffer.getByte(i) == '\t')) {
      i++;
    }
    if (i < cr && buffer.getByte(i) != ';') {
      return INVALID;
    }
    for (int j = i; j < cr; j++) {
      byte b = buffer.getByte(j);
      if (b == '\r' || b == 0) {
        return INVALID;
      }
    }
    if (digitsEnd == cr || buffer.isReadOnly()) {
      return VALID;
    }
    int zeros = cr - digitsEnd;
    for (int j = digitsEnd - 1; j >= start; j--) {
      buffer.setByte(j + zeros, buffer.getByte(j));
    }
    for (int j = start; j < start + zeros; j++) {
      buffer.setByte(j, '0');
    }
    return VALID;
  }
}
