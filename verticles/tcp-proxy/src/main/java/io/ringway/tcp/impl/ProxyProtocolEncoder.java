package io.ringway.tcp.impl;

import io.netty.util.NetUtil;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Writes the PROXY protocol header (v1 or v2) an upstream connection starts with. A v4 and a v6
 * address in one header are both sent as IPv6, the v4 one mapped ({@code ::ffff:a.b.c.d}, in v1
 * text {@code ::ffff:xxxx:xxxx}), since a header has one family. Unknown addresses give v1
 * {@code UNKNOWN} or v2 {@code UNSPEC}.
 */
public final class ProxyProtocolEncoder {

  private static final int PROXY_COMMAND = 0x21;
  private static final int TCP4 = 0x11;
  private static final int TCP6 = 0x21;
  private static final int UNSPEC = 0x00;

  private ProxyProtocolEncoder() {
  }

  /** The header for {@code version}; empty for {@link ProxyProtocolVersion#NONE}. */
  public static byte[] encode(ProxyProtocolVersion version, InetSocketAddress source, InetSocketAddress destination) {
    return switch (version) {
      case NONE -> new byte[0];
      case V1 -> v1(source, destination);
      case V2 -> v2(source, destination);
    };
  }

  /** {@code PROXY TCP4|TCP6 src dst sport dport\r\n}, or {@code PROXY UNKNOWN\r\n}. */
  public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
    String line;
    if (!known(source) || !known(destination)) {
      line = "PROXY UNKNOWN\r\n";
    } else {
      boolean v6 = !(isV4(source) && isV4(destination));
      line = "PROXY " + (v6 ? "TCP6 " : "TCP4 ") + text(source.getAddress(), v6) + " "
          + text(destination.getAddress(), v6) + " " + source.getPort() + " " + destination.getPort() + "\r\n";
    }
    return line.getBytes(StandardCharsets.US_ASCII);
  }

  /** The binary header: signature, PROXY command, TCP4/TCP6 (or UNSPEC) and the address block. */
  public static byte[] v2(InetSocketAddress source, InetSocketAddress destination) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 36);
    out.writeBytes(ProxyProtocolParser.V2_SIGNATURE);
    out.write(PROXY_COMMAND);
    if (!known(source) || !known(destination)) {
      out.write(UNSPEC);
      writeShort(out, 0);
      return out.toByteArray();
    }
    boolean v6 = !(isV4(source) && isV4(destination));
    out.write(v6 ? TCP6 : TCP4);
    writeShort(out, v6 ? 36 : 12);
    out.writeBytes(bytes(source.getAddress(), v6));
    out.writeBytes(bytes(destination.getAddress(), v6));
    writeShort(out, source.getPort());
    writeShort(out, destination.getPort());
    return out.toByteArray();
  }

  private static boolean known(InetSocketAddress address) {
    return address != null && address.getAddress() != null;
  }

  private static boolean isV4(InetSocketAddress address) {
    return address.getAddress() instanceof Inet4Address;
  }

  private static byte[] bytes(InetAddress address, boolean v6) {
    byte[] raw = address.getAddress();
    if (!v6 || raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }

  private static String text(InetAddress address, boolean v6) {
    if (v6 && address instanceof Inet4Address) {
      // The spec's v1 IPv6 form is hex groups only, so the mapped address is not ::ffff:a.b.c.d.
      byte[] raw = address.getAddress();
      return "::ffff:" + Integer.toHexString((raw[0] & 0xff) << 8 | (raw[1] & 0xff)) + ":"
          + Integer.toHexString((raw[2] & 0xff) << 8 | (raw[3] & 0xff));
    }
    // RFC 5952's compressed form, without the zone id a v1 line may not carry
    return NetUtil.toAddressString(address);
  }

  private static void writeShort(ByteArrayOutputStream out, int value) {
    out.write(value >> 8);
    out.write(value);
  }
}
