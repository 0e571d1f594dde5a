package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;

/** The Internet checksum (RFC 1071) and byte comparisons over buffers, for {@link TunOffload}. */
final class InetChecksum {

  private InetChecksum() {
  }

  /** The unfolded one's-complement sum of the IPv4/IPv6 pseudo-header (RFC 793 / RFC 8200 8.1). */
  static long pseudoHeader(ByteBuf packet, int p, int version, int protocol, int l4Length) {
    long sum = protocol + l4Length;
    return version == 4 ? sum(packet, p + 12, 8, sum) : sum(packet, p + 8, 32, sum);
  }

  /** Adds {@code length} bytes at {@code index} to {@code sum} as big-endian 16-bit words (odd tail padded). */
  static long sum(ByteBuf buffer, int index, int length, long sum) {
    int i = 0;
    // 32-bit words: the one's-complement sum folds to the same 16 bits (RFC 1071, 2.(B)).
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
