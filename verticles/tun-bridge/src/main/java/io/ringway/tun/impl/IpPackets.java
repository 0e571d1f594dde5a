package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;

/**
 * Where the addresses sit in a raw IP packet from the TUN device (IFF_NO_PI: the packet starts
 * at the IP header). Routing needs only the version nibble and the fixed header offsets.
 */
public final class IpPackets {

  private IpPackets() {
  }

  /** 4, 6, or 0 if the packet (the readable bytes) is too short for its version's fixed header. */
  public static int version(ByteBuf packet) {
    int length = packet.readableBytes();
    if (length < 1) {
      return 0;
    }
    int version = packet.getUnsignedByte(packet.readerIndex()) >>> 4;
    if (version == 4 && length >= 20) {
      return 4;
    }
    return version == 6 && length >= 40 ? 6 : 0;
  }

  /** Offset of the source address: IPv4 byte 12, IPv6 byte 8. */
  public static int sourceOffset(int version) {
    return version == 4 ? 12 : 8;
  }

  /** Offset of the destination address: IPv4 byte 16, IPv6 byte 24. */
  public static int destinationOffset(int version) {
    return version == 4 ? 16 : 24;
  }

  /** Address length: 4 or 16 bytes. */
  public static int addressLength(int version) {
    return version == 4 ? 4 : 16;
  }
}
