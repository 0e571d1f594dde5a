package io.ringway.tun.impl;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Builds and reads IPv4/UDP packets for tests (header checksum and UDP checksum valid). */
record Ipv4Udp(InetAddress source, InetAddress destination, int sourcePort, int destinationPort, byte[] payload) {

  static final int PROTOCOL_UDP = 17;

  /**
   * The next IPv4/UDP packet {@code packets} yields within 5 s, skipping what the kernel sends on its own
   * (IPv6 RS, MLD); fails naming {@code device} otherwise.
   */
  static Ipv4Udp next(BlockingQueue<byte[]> packets, String device) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      byte[] packet = packets.poll(100, TimeUnit.MILLISECONDS);
      Ipv4Udp udp = packet == null ? null : parse(packet);
      if (udp != null) {
        return udp;
      }
    }
    throw new AssertionError("no IPv4/UDP packet read from " + device + " within 5 s");
  }

  /** Parses a packet, or returns null if it is not IPv4/UDP. */
  static Ipv4Udp parse(byte[] packet) {
    if (packet.length < 28 || (packet[0] >> 4) != 4 || packet[9] != PROTOCOL_UDP) {
      return null;
    }
    int headerLength = (packet[0] & 0xf) * 4;
    ByteBuffer buffer = ByteBuffer.wrap(packet);
    int totalLength = buffer.getShort(2) & 0xffff;
    try {
      InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(packet, 12, 16));
      InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(packet, 16, 20));
      int sourcePort = buffer.getShort(headerLength) & 0xffff;
      int destinationPort = buffer.getShort(headerLength + 2) & 0xffff;
      return new Ipv4Udp(source, destination, sourcePort, destinationPort,
          Arrays.copyOfRange(packet, headerLength + 8, totalLength));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] toBytes() {
    int udpLength = 8 + payload.length;
    ByteBuffer packet = ByteBuffer.allocate(20 + udpLength);
    packet.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength));
    packet.putShort((short) 0x1234).putShort((short) 0x4000); // id, DF
    packet.put((byte) 64).put((byte) PROTOCOL_UDP).putShort((short) 0);
    packet.put(source.getAddress()).put(destination.getAddress());
    packet.putShort(10, checksum(packet.array(), 0, 20, 0));
    packet.putShort((short) sourcePort).putShort((short) destinationPort)
        .putShort((short) udpLength).putShort((short) 0).put(payload);
    // UDP checksum over the pseudo-header (addresses, protocol, length) and the datagram.
    long pseudo = sum(packet.array(), 12, 8) + PROTOCOL_UDP + udpLength;
    short udpChecksum = checksum(packet.array(), 20, udpLength, pseudo);
    packet.putShort(26, udpChecksum == 0 ? (short) 0xffff : udpChecksum);
    return packet.array();
  }

  private static short checksum(byte[] bytes, int offset, int length, long initial) {
    long sum = initial + sum(bytes, offset, length);
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (short) ~sum;
  }

  private static long sum(byte[] bytes, int offset, int length) {
    long sum = 0;
    for (int i = 0; i < length; i += 2) {
      int high = bytes[offset + i] & 0xff;
      int low = i + 1 < length ? bytes[offset + i + 1] & 0xff : 0;
      sum += (high << 8) | low;
    }
    return sum;
  }
}
