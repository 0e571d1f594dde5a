package io.ringway.upstream.impl;

import java.net.ConnectException;

/** Tells a refused connect (ECONNREFUSED: nothing listens at the address) from other connect failures. */
final class ConnectRefusal {

  private ConnectRefusal() {
  }

  /**
   * Whether {@code cause} is a refused connect. Netty's native transports and the JDK both report ECONNREFUSED as
   * a {@link ConnectException} carrying strerror's "Connection refused" (Netty keeps the errno private), so the
   * text is the one portable mark; a timeout or unreachable host is not a refusal.
   */
  static boolean is(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof ConnectException && c.getMessage() != null && c.getMessage().contains("Connection refused")) {
        return true;
      }
    }
    return false;
  }
}
