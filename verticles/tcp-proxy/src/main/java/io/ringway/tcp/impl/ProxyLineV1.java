package io.ringway.tcp.impl;

import io.netty.util.NetUtil;

/** The fields of a v1 line, between {@code "PROXY "} and CRLF. */
final class ProxyLineV1 {

  private ProxyLineV1() {
  }

  static ProxyHeader parse(String fields) throws ProxyProtocolException {
    if (fields.equals("UNKNOWN") || fields.startsWith("UNKNOWN ")) {
      // The spec lets a sender put anything after UNKNOWN; the receiver ignores it.
      return new ProxyHeader(1, false, null, null);
    }
    String[] parts = fields.split(" ", -1);
    if (parts.length != 5) {
      throw new ProxyProtocolException("v1 header: expected \"TCP4|TCP6 src dst sport dport\", got "
          + parts.length + " fields");
    }
    boolean v6;
    switch (parts[0]) {
      case "TCP4" -> v6 = false;
      case "TCP6" -> v6 = true;
      default -> throw new ProxyProtocolException("v1 header: unknown protocol \"" + abbreviate(parts[0]) + "\"");
    }
    byte[] source = address(parts[1], v6, "source");
    byte[] destination = address(parts[2], v6, "destination");
    int sourcePort = port(parts[3], "source");
    int destinationPort = port(parts[4], "destination");
    return new ProxyHeader(1, false, ProxyProtocolParser.socketAddress(source, sourcePort),
        ProxyProtocolParser.socketAddress(destination, destinationPort));
  }

  private static byte[] address(String text, boolean v6, String which) throws ProxyProtocolException {
    boolean valid = v6 ? isPlainIpV6(text) : NetUtil.isValidIpV4Address(text);
    if (!valid || hasLeadingZero(text)) {
      throw new ProxyProtocolException("v1 header: " + which + " \"" + abbreviate(text) + "\" is not an "
          + (v6 ? "IPv6" : "IPv4") + " address");
    }
    return ProxyProtocolParser.ipBytes(text);
  }

  /** Netty also accepts brackets and zone ids, which a v1 header may not carry. */
  private static boolean isPlainIpV6(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
        return false;
      }
    }
    return NetUtil.isValidIpV6Address(text) && ProxyProtocolParser.ipBytes(text).length == 16;
  }

  /**
   * The spec forbids leading zeros in the decimal parts (octal look-alikes); Netty accepts
   * {@code 01.2.3.4}. IPv6 hex groups may have them ({@code 0db8}), a trailing dotted quad may not.
   */
  private static boolean hasLeadingZero(String text) {
    String decimal = text.substring(text.lastIndexOf(':') + 1);
    if (decimal.indexOf('.') < 0) {
      return false;
    }
    for (String part : decimal.split("\\.", -1)) {
      if (part.length() > 1 && part.charAt(0) == '0') {
        return true;
      }
    }
    return false;
  }

  private static int port(String text, String which) throws ProxyProtocolException {
    boolean digits = !text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    // The spec forbids leading zeros, so one port has one spelling.
    if (!digits || (text.length() > 1 && text.charAt(0) == '0') || Integer.parseInt(text) > 65535) {
      throw new ProxyProtocolException("v1 header: " + which + " port \"" + abbreviate(text) + "\" is not 0..65535");
    }
    return Integer.parseInt(text);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
