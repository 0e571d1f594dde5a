package io.ringway.admin.impl;

import io.netty.util.NetUtil;
import io.ringway.spi.config.AdminConfig;
import java.net.InetAddress;

/**
 * The security baseline for the admin listener: loopback, or a token. Checked here as well as in
 * config validation because this API will soon drain the node and rewrite its config.
 */
public final class ListenerPolicy {

  private ListenerPolicy() {
  }

  /** Why this listener must not start, or {@code null} when it may. */
  public static String refusal(AdminConfig config) {
    if (config.token() != null && config.token().isBlank()) {
      return "token is blank; remove it for none, or set a secret";
    }
    if (config.token() == null && !isLoopback(config.host())) {
      return "host " + config.host() + " is not a loopback address; set admin.token to listen on it";
    }
    return null;
  }

  /** Only IP literals and "localhost" count: resolving a name here would block the event loop. */
  static boolean isLoopback(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
    return literal != null && literal.isLoopbackAddress();
  }
}
