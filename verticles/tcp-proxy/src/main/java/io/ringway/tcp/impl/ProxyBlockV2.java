package io.ringway.tcp.impl;

import java.util.Arrays;

/** The part of a v2 header after its signature: command, address family, addresses and TLVs. */
final class ProxyBlockV2 {

  private static final int LOCAL = 0x0;
  private static final int PROXY = 0x1;
  private static final int UNSPEC = 0x0;
  private static final int UNIX = 0x3;
  private static final int STREAM = 0x1;
  private static final int IPV4_BLOCK = 12;
  private static final int IPV6_BLOCK = 36;
  private static final int UNIX_BLOCK = 216;

  private ProxyBlockV2() {
  }

  /** @param header the whole header, signature and fixed part included */
  static ProxyHeader parse(byte[] header) throws ProxyProtocolException {
    int versionCommand = header[12] & 0xff;
    if (versionCommand >> 4 != 2) {
      throw new ProxyProtocolException("v2 header: unsupported version " + (versionCommand >> 4));
    }
    int command = versionCommand & 0x0f;
    if (command != LOCAL && command != PROXY) {
      throw new ProxyProtocolException("v2 header: unknown command 0x" + Integer.toHexString(command));
    }
    int body = header.length - ProxyProtocolParser.V2_FIXED_BYTES;
    if (command == LOCAL) {
      // The sender's own connection (a health check): the spec says to discard the whole block,
      // "including the family which is ignored", so LOCAL is accepted whatever byte 14 holds.
      return new ProxyHeader(2, true, null, null);
    }
    int familyTransport = header[13] & 0xff;
    int family = familyTransport >> 4;
    int transport = familyTransport & 0x0f;
    if (family > 3 || transport > 2) {
      throw new ProxyProtocolException("v2 header: unknown address family/transport 0x"
          + Integer.toHexString(familyTransport));
    }
    if (family == UNSPEC || transport == UNSPEC) {
      // Either half UNSPEC: the spec says to ignore the address information and use the socket's.
      return new ProxyHeader(2, false, null, null);
    }
    int block = switch (family) {
      case 1 -> IPV4_BLOCK;
      case 2 -> IPV6_BLOCK;
      default -> UNIX_BLOCK;
    };
    if (body < block) {
      throw new ProxyProtocolException("v2 header: " + body + " bytes cannot hold the " + block
          + "-byte address block of family " + family);
    }
    checkTlvs(header, ProxyProtocolParser.V2_FIXED_BYTES + block);
    if (family == UNIX || transport != STREAM) {
      // UNIX or UDP addresses say nothing true about a TCP connection; the spec lets a receiver
      // fall back to UNSPEC (the socket's own addresses) for valid combinations it does not support.
      return new ProxyHeader(2, false, null, null);
    }
    int ipLength = family == 1 ? 4 : 16;
    int at = ProxyProtocolParser.V2_FIXED_BYTES;
    byte[] source = Arrays.copyOfRange(header, at, at + ipLength);
    byte[] destination = Arrays.copyOfRange(header, at + ipLength, at + 2 * ipLength);
    int ports = at + 2 * ipLength;
    return new ProxyHeader(2, false, ProxyProtocolParser.socketAddress(source, unsigned16(header, ports)),
        ProxyProtocolParser.socketAddress(destination, unsigned16(header, ports + 2)));
  }

  /** TLVs are not used, but a block whose TLV lengths do not add up is a malformed header. */
  private static void checkTlvs(byte[] header, int from) throws ProxyProtocolException {
    int at = from;
    while (at < header.length) {
      if (header.length - at < 3) {
        throw new ProxyProtocolException("v2 header: truncated TLV at byte " + at);
      }
      int type = header[at] & 0xff;
      int end = at + 3 + unsigned16(header, at + 1);
      if (end > header.length) {
        throw new ProxyProtocolException("v2 header: TLV of type 0x" + Integer.toHexString(type) + " overruns the header by "
            + (end - header.length) + " bytes");
      }
      at = end;
    }
  }

  private static int unsigned16(byte[] bytes, int at) {
    return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
  }
}
