package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpObjectDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Chunk extensions as RFC 9112 §7.1.1 has them, which a recipient MUST ignore when it does not know them.
 * Netty 4.2.12 refuses a valid chunk line whose last extension has a token value ({@code 5;ext=1}: its
 * validator does not accept the line ending in that state), so such a chunked request was cut off with no
 * answer. Before Netty reads a chunk-size line, this checks the line's extensions against the RFC grammar
 * and, when they are valid, overwrites them with SP, where Netty's size parser stops; an invalid line is left
 * for Netty to refuse. Reading Netty's private decoder state is the price: if that field ever moves, the
 * repair turns itself off and Netty's own behaviour stays.
 */
final class ChunkExtensions {

  private static final VarHandle STATE;
  private static final Object READ_CHUNK_SIZE;

  static {
    VarHandle state = null;
    Object readChunkSize = null;
    try {
      Class<?> states = Class.forName(HttpObjectDecoder.class.getName() + "$State");
      state = MethodHandles.privateLookupIn(HttpObjectDecoder.class, MethodHandles.lookup())
          .findVarHandle(HttpObjectDecoder.class, "currentState", states);
      for (Object constant : states.getEnumConstants()) {
        if (((Enum<?>) constant).name().equals("READ_CHUNK_SIZE")) {
          readChunkSize = constant;
        }
      }
    } catch (ReflectiveOperationException | RuntimeException unavailable) {
      state = null;
    }
    STATE = readChunkSize == null ? null : state;
    READ_CHUNK_SIZE = readChunkSize;
  }

  private ChunkExtensions() {
  }

  /** Whether the decoder is about to read a chunk-size line. */
  static boolean atChunkSize(HttpObjectDecoder decoder) {
    return STATE != null && STATE.get(decoder) == READ_CHUNK_SIZE;
  }

  /** Blanks the extensions of the chunk-size line at the reader index when it is whole and valid. */
  static void blankValid(ByteBuf buffer) {
    int start = buffer.readerIndex();
    int end = buffer.writerIndex();
    int i = start;
    while (i < end && Character.digit(buffer.getByte(i), 16) >= 0) {
      i++;
    }
    int extensions = i;
    if (i == start || buffer.isReadOnly()) {
      return;
    }
    int cr = validExtensionsEnd(buffer, i, end);
    if (cr > extensions) {
      for (int j = extensions; j < cr; j++) {
        buffer.setByte(j, ' ');
      }
    }
  }

  /** The index of the CR ending a valid {@code *( BWS ";" BWS name [ BWS "=" BWS value ] )}, else -1. */
  private static int validExtensionsEnd(ByteBuf buffer, int i, int end) {
    boolean any = false;
    while (true) {
      i = skipWhitespace(buffer, i, end);
      if (i >= end) {
        return -1;
      }
      byte b = buffer.getByte(i);
      if (b == '\r') {
        return any && i + 1 < end && buffer.getByte(i + 1) == '\n' ? i : -1;
      }
      if (b != ';') {
        return -1;
      }
      any = true;
      i = skipWhitespace(buffer, i + 1, end);
      int name = i;
      i = skipToken(buffer, i, end);
      if (i == name) {
        return -1;
      }
      int afterName = skipWhitespace(buffer, i, end);
      if (afterName < end && buffer.getByte(afterName) == '=') {
        i = skipWhitespace(buffer, afterName + 1, end);
        i = i < end && buffer.getByte(i) == '"' ? skipQuoted(buffer, i + 1, end) : nonEmpty(skipToken(buffer, i, end), i);
        if (i < 0) {
          return -1;
        }
      }
    }
  }

  private static int nonEmpty(int after, int before) {
    return after == before ? -1 : after;
  }

  private static int skipWhitespace(ByteBuf buffer, int i, int end) {
    while (i < end && (buffer.getByte(i) == ' ' || buffer.getByte(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static int skipToken(ByteBuf buffer, int i, int end) {
    while (i < end && isTchar(buffer.getByte(i) & 0xFF)) {
      i++;
    }
    return i;
  }

  /** Past the closing quote of a quoted-string whose opening quote is before {@code i}, else -1. */
  private static int skipQuoted(ByteBuf buffer, int i, int end) {
    while (i < end) {
      int b = buffer.getByte(i) & 0xFF;
      if (b == '"') {
        return i + 1;
      }
      if (b == '\\') {
        i++;
        if (i >= end || (buffer.getByte(i) & 0xFF) < 0x20 && buffer.getByte(i) != '\t' || buffer.getByte(i) == 0x7F) {
          return -1;
        }
      } else if (b < 0x20 && b != '\t' || b == 0x7F) {
        return -1;
      }
      i++;
    }
    return -1;
  }

  private static boolean isTchar(int b) {
    return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }
}
