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
 * @param drainCloseSpread while draining, a keep-alive connection idle at drain start is closed after a
 *     random delay within this window (HAProxy's {@code close-spread-time}): a busy client's next request
 *     meanwhile gets its answer with {@code connection: close} (an h2 client a GOAWAY) instead of a closed
 *     socket; shorter than {@code drainTimeout}
 */
public record AdminConfig(String host, int port, String token, Duration drainTimeout, Duration drainCloseSpread) {

  public static final int DEFAULT_DRAIN_SECONDS = 30;
  /** The default spread, unless half the drain timeout is shorter. */
  public static final int DEFAULT_CLOSE_SPREAD_SECONDS = 5;

  public AdminConfig {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(drainCloseSpread, "drainCloseSpread");
  }

  /** A drain timeout with its default close spread. */
  public AdminConfig(String host, int port, String token, Duration drainTimeout) {
    this(host, port, token, drainTimeout, defaultCloseSpread(drainTimeout));
  }

  /** A listener with the default drain timeout. */
  public AdminConfig(String host, int port, String token) {
    this(host, port, token, Duration.ofSeconds(DEFAULT_DRAIN_SECONDS));
  }

  /** {@value #DEFAULT_CLOSE_SPREAD_SECONDS} s, or half of {@code drainTimeout} when that is shorter. */
  public static Duration defaultCloseSpread(Duration drainTimeout) {
    Duration half = drainTimeout.dividedBy(2);
    Duration spread = Duration.ofSeconds(DEFAULT_CLOSE_SPREAD_SECONDS);
    return half.compareTo(spread) < 0 ? half : spread;
  }
}
