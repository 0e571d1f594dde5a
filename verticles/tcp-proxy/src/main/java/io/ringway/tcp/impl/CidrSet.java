package io.ringway.tcp.impl;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The source addresses a listener trusts to send a PROXY header, as CIDR blocks. Matching is by
 * bytes, never by name. An IPv4-mapped IPv6 client ({@code ::ffff:10.0.0.1}, as a dual-stack socket
 * reports it) matches IPv4 blocks.
 */
public final class CidrSet {

  private final List<Block> blocks;

  private CidrSet(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /**
   * Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address (a single host).
   *
   * @throws IllegalArgumentException naming the entry that is not a CIDR block
   */
  public static CidrSet parse(List<String> cidrs) {
    List<Block> blocks = new ArrayList<>(cidrs.size());
    for (int i = 0; i < cidrs.size(); i++) {
      blocks.add(Block.parse(cidrs.get(i), i));
    }
    return new CidrSet(blocks);
  }

  /** Whether the address falls in any block; {@code null} (not an IP connection) never does. */
  public boolean contains(InetAddress address) {
    if (address == null) {
      return false;
    }
    byte[] bytes = unmapped(address.getAddress());
    for (Block block : blocks) {
      if (block.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] unmapped(byte[] bytes) {
    if (bytes.length != 16) {
      return bytes;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return bytes;
      }
    }
    if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return bytes;
    }
    return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
  }

  private record Block(byte[] prefix, int bits) {

    static Block parse(String cidr, int index) {
      int slash = cidr.indexOf('/');
      String host = slash < 0 ? cidr : cidr.substring(0, slash);
      byte[] prefix = NetUtil.createByteArrayFromIpAddressString(host);
      if (prefix == null || host.indexOf('%') >= 0) {
        throw new IllegalArgumentException("trustedSources[" + index + "]: \"" + cidr + "\" is not an IP address or CIDR block");
      }
      prefix = unmapped(prefix);
      int max = prefix.length * 8;
      int bits = max;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > max) {
          throw new IllegalArgumentException("trustedSources[" + index + "]: prefix length in \"" + cidr
              + "\" is outside 0.." + max);
        }
      }
      return new Block(prefix, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != prefix.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (prefix[whole] & mask);
    }
  }

  @Override
  public String toString() {
    return blocks.stream().map(b -> NetUtil.bytesToIpAddress(b.prefix) + "/" + b.bits).toList().toString();
  }
}
