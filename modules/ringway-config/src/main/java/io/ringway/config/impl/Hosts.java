package io.ringway.config.impl;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;

/** Facts about host names that validation needs, found without DNS so validating never blocks on it. */
public final class Hosts {

  private Hosts() {
  }

  /** Whether {@code host} surely means this machine only: {@code localhost}, {@code 127.0.0.0/8}, {@code ::1}. */
  public static boolean isLoopback(String host) {
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (literal.toLowerCase(Locale.ROOT).equals("localhost")) {
      return true;
    }
    // parses address literals only; a name is not resolved, so it counts as not loopback
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
    return address != null && address.isLoopbackAddress();
  }

  /**
   * This node's name: {@code HOSTNAME} when the environment has it (containers, Kubernetes), else
   * what the JDK says, else {@code localhost}. The JDK lookup may consult the resolver, so call this
   * once, before any event loop runs.
   */
  public static String localName(Map<String, String> env) {
    String fromEnv = env.get("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception unresolvable) {
      return "localhost";
    }
  }
}
