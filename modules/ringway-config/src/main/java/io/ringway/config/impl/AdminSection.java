package io.ringway.config.impl;

import io.ringway.spi.config.Durations;
import io.ringway.spi.config.AdminConfig;
import java.time.Duration;

/** {@code admin}: the admin API listener, loopback unless a token guards it. */
final class AdminSection {

  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 9901;

  private AdminSection() {
  }

  static AdminConfig read(ConfigReader root) {
    ConfigReader admin = root.object("admin");
    String host = admin.string("host", DEFAULT_HOST);
    int port = admin.integer("port", 1, 65535, DEFAULT_PORT);
    String token = admin.optionalString("token");
    if (token == null && !Hosts.isLoopback(host)) {
      // the admin API can change the running config: off loopback it must not be open to anyone who can connect
      admin.fail("token", "required when admin.host is not loopback (admin.host is \"" + host + "\")");
    }
    Duration drainTimeout = admin.duration("drainTimeout", Duration.ofMillis(1), Duration.ofHours(1),
        Duration.ofSeconds(AdminConfig.DEFAULT_DRAIN_SECONDS));
    Duration closeSpread = admin.duration("drainCloseSpread", Duration.ZERO, Duration.ofHours(1),
        AdminConfig.defaultCloseSpread(drainTimeout));
    if (closeSpread.compareTo(drainTimeout) >= 0) {
      // Idle connections must all be closed by the node before the drain deadline closes them at once.
      admin.fail("drainCloseSpread", "must be shorter than admin.drainTimeout (" + Durations.format(drainTimeout)
          + "), got " + Durations.format(closeSpread));
      closeSpread = AdminConfig.defaultCloseSpread(drainTimeout);
    }
    admin.rejectUnknownKeys();
    return new AdminConfig(host, port, token, drainTimeout, closeSpread);
  }
}
