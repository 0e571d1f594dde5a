package io.ringway.spi.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The admin API's listener, and how long the node drains before it stops.
 *
 * @param host bind address; loopback unless a token is set
 * @param port TCP port (default 9901)
 * @param token bearer token required on every call when set; {@code null} for none
 * @param drainTimeout how long {@code POST /drain} and SIGTERM wait for in-flight work to finish
 *     (default {@value #DEFAULT_DRAIN_SECONDS} s); a Kubernetes {@code terminationGracePeriodSeconds}
 *     should exceed it
 */
public record AdminConfig(String host, int port, String token, Duration drainTimeout) {

  public static final int DEFAULT_DRAIN_SECONDS = 30;

  public AdminConfig {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  /** A listener with the default drain timeout. */
  public AdminConfig(String host, int port, String token) {
    this(host, port, token, Duration.ofSeconds(DEFAULT_DRAIN_SECONDS));
  }
}
