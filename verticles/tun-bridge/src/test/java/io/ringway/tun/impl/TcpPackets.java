package io.ringway.tun.impl;

import java.nio.ByteBuffer;

/**
 * Builds and checks IPv4/IPv6 TCP packets for tests, with a checksum written independently of
 * {@link TunOffload}'s (16-bit words over byte arrays, RFC 1071 as written).
 */
final class TcpPackets {

  static final int ACK = 0x10;
  static final int PSH = 0x08;
  static final int SYN = 0x02;
  static final int FIN = 0x01;

  private TcpPackets() {
  }

  /** An IPv4 TCP packet (no IP options, DF, TTL 64) with {@code options} (a multiple of 4 bytes). */
  static byte[] v4(byte[] source, byte[] destination, int sourcePort, int destinationPort, long seq, long ack,
      int flags, int window, byte[] options, byte[] payload) {
    int tcpLength = 20 + options.length + payload.length;
    ByteBuffer packet = ByteBuffer.allocate(20 + tcpLength);
    packet.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength));
    packet.putShort((short) 0x1000).putShort((short) 0x4000);
    packet.put((byte) 64).put((byte) 6).putShort((short) 0);
    packet.put(source).put(destination);
    packet.putShort(10, checksum(packet.array(), 0, 20, 0));
    tcp(packet, sourcePort, destinationPort, seq, ack, flags, window, options, payload);
    long pseudo = sum(packet.array(), 12, 8) + 6 + tcpLength;
    packet.putShort(20 + 16, checksum(packet.array(), 20, tcpLength, pseudo));
    return packet.array();
  }

  /** An IPv6 TCP packet (no extension headers, hop limit 64). */
  static byte[] v6(byte[] source, byte[] destination, int sourcePort, int destinationPort, long seq, long ack,
      int flags, byte[] payload) {
    int tcpLength = 20 + payload.length;
    ByteBuffer packet = ByteBuffer.allocate(40 + tcpLength);
    packet.putInt(0x60000000).putShort((short) tcpLength).put((byte) 6).put((byte) 64);
    packet.put(source).put(destination);
    tcp(packet, sourcePort, destinationPort, seq, ack, flags, 512, new byte[0], payload);
    long pseudo = sum(packet.array(), 8, 32) + 6 + tcpLength;
    packet.putShort(40 + 16, checksum(packet.array(), 40, tcpLength, pseudo));
    return packet.array();
  }

  private static void tcp(ByteBuffer packet, int sourcePort, int destinationPort, long seq, long ack, int flags,
      int window, byte[] options, byte[] payload) {
    packet.putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) seq).putInt((int) ack);
    packet.put((byte) (((20 + options.length) / 4) << 4)).put((byte) flags).putShort((short) window);
    packet.putShort((short) 0).putShort((short) 0).put(options).put(payload);
  }

  /** Whether the IPv4 header checksum (if v4) and the TCP checksum of {@code packet} are right. */
  static boolean checksumsValid(byte[] packet) {
    boolean v4 = (packet[0] >> 4) == 4;
    int ipHeader = v4 ? (packet[0] & 0xf) * 4 : 40;
    if (v4 && checksum(packet, 0, ipHeader, 0) != 0) {
      return false;
    }
    int l4Length = packet.length - ipHeader;
    int protocol = v4 ? packet[9] : packet[6];
    long pseudo = (v4 ? sum(packet, 12, 8) : sum(packet, 8, 32)) + protocol + l4Length;
    return checksum(packet, ipHeader, l4Length, pseudo) == 0;
  }

  static int flags(byte[] packet) {
    return packet[ipHeader(packet) + 13] & 0xff;
  }

  static long seq(byte[] packet) {
    return ByteBuffer.wrap(packet).getInt(ipHeader(packet) + 4) & 0xffffffffL;
  }

  static long ack(byte[] packet) {
    return ByteBuffer.wrap(packet).getInt(ipHeader(packet) + 8) & 0xffffffffL;
  }

  static int sourcePort(byte[] packet) {
    return ByteBuffer.wrap(packet).getShort(ipHeader(packet)) & 0xffff;
  }

  static int ipHeader(byte[] packet) {
    return (packet[0] >> 4) == 4 ? (packet[0] & 0xf) * 4 : 40;
  }

  static byte[] payload(byte[] packet) {
    int start = ipHeader(packet) + ((packet[ipHeader(packet) + 12] >> 4) & 0xf) * 4;
    return java.util.Arrays.copyOfRange(packet, start, packet.length);
  }

  static short checksum(byte[] bytes, int offset, int length, long initial) {
    long sum = initial + sum(bytes, offset, length);
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (short) ~sum;
  }

  static long sum(byte[] bytes, int offset, int length) {
    long sum = 0;
    for (int i = 0; i < length; i += 2) {
      int high = bytes[offset + i] & 0xff;
      int low = i + 1 < length ? bytes[offset + i + 1] & 0xff : 0;
      sum += (high << 8) | low;
    }
    return sum;
  }
}
