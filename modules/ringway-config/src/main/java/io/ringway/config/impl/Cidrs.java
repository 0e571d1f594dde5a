package io.ringway.config.impl;

import io.netty.util.NetUtil;

/** Syntax of address blocks in config, checked without any name lookup. */
final class Cidrs {

  private Cidrs() {
  }

  /** An IPv4 or IPv6 literal, with an optional {@code /prefix} no longer than its family allows. */
  static boolean isValid(String block) {
    int slash = block.indexOf('/');
    String address = slash < 0 ? block : block.substring(0, slash);
    boolean v4 = NetUtil.isValidIpV4Address(address);
    if (!v4 && !NetUtil.isValidIpV6Address(address)) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    String prefix = block.substring(slash + 1);
    return prefix.matches("\\d{1,3}") && Integer.parseInt(prefix) <= (v4 ? 32 : 128);
  }
}
