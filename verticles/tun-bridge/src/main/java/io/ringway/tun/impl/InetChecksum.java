package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071) and byte comparisons over buffers, for {@link TunOffload}. */
final class InetChecksum {

  private InetChecksum() {
  }

  /** The unfolded one's-complement sum of the IPv4/IPv6 pseudo-header (RFC 793 / RFC 8200 8.1). */
  static long pseudoHeader(ByteBuf packet, int p, int version, int protocol, int l4Length) {
    long sum = protocol + l4Length;
    return version == 4 ? sum(packet, p + 12, 8, sum) : sum(packet, p + 8, 32, sum);
  }

  /**
   * From this many bytes on, the sum reads 8-byte words from one NIO view of the range. Every {@code ByteBuf.getInt}
   * checks bounds and reference count, and on a slice (an opened data message) goes through two levels of
   * delegation: per 4 bytes, that was a quarter of a receiving bridge's CPU when it checked coalescing candidates.
   */
  private static final int BULK = 64;

  /** Adds {@code length} bytes at {@code index} to {@code sum} as big-endian 16-bit words (odd tail padded). */
  static long sum(ByteBuf buffer, int index, int length, long sum) {
    int i = 0;
    if (length >= BULK && buffer.nioBufferCount() == 1) {
      // A fresh view (big-endian, position 0 at index): the buffer's own cached NIO buffer is left alone.
      ByteBuffer words = buffer.nioBuffer(index, length);
      // Each 64-bit word adds as its two 32-bit halves: the one's-complement sum folds to the same 16 bits
      // (RFC 1071, 2.(B)), and 64 KiB of halves cannot carry out of a long.
      for (; i + 8 <= length; i += 8) {
        long word = words.getLong(i);
        sum += (word >>> 32) + (word & 0xffff_ffffL);
      }
    }
    // 32-bit words, likewise.
    for (; i + 4 <= length; i += 4) {
      sum += buffer.getUnsignedInt(index + i);
    }
    if (i + 2 <= length) {
      sum += buffer.getUnsignedShort(index + i);
      i += 2;
    }
    if (i < length) {
      sum += buffer.getUnsignedByte(index + i) << 8;
    }
    return sum;
  }

  /** Folds a sum to 16 bits (not complemented). */
  static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  /** Whether {@code length} bytes at {@code aIndex} of {@code a} equal those at {@code bIndex} of {@code b}. */
  static boolean equalRange(ByteBuf a, int aIndex, ByteBuf b, int bIndex, int length) {
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      if (a.getInt(aIndex + i) != b.getInt(bIndex + i)) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (a.getByte(aIndex + i) != b.getByte(bIndex + i)) {
        return false;
      }
    }
    return true;
  }
}
