package io.ringway.spi.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health: an endpoint that fails this many connects in a row is taken out of rotation for a
 * while, longer each time it is ejected again.
 *
 * @param consecutiveConnectFailures failures in a row that eject an endpoint, at least 1
 * @param baseEjectionTime ejection time of a first ejection; the n-th lasts n times as long
 * @param maxEjectionTime cap on any one ejection, at least {@code baseEjectionTime}
 * @param maxEjectedPercent most of the cluster that may be ejected at once, 0..100; at least one
 *     endpoint may always be ejected when this is above 0
 */
public record OutlierDetectionConfig(int consecutiveConnectFailures, Duration baseEjectionTime,
                                     Duration maxEjectionTime, int maxEjectedPercent) {

  /** Defaults follow Envoy's outlier detection. */
  public static final int DEFAULT_CONSECUTIVE_CONNECT_FAILURES = 5;
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_EJECTED_PERCENT = 10;

  public OutlierDetectionConfig {
    Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
    Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
    if (consecutiveConnectFailures < 1) {
      throw new IllegalArgumentException("consecutiveConnectFailures: " + consecutiveConnectFailures + " must be at least 1");
    }
    if (baseEjectionTime.isNegative() || baseEjectionTime.isZero()) {
      throw new IllegalArgumentException("baseEjectionTime: " + baseEjectionTime + " must be positive");
    }
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      throw new IllegalArgumentException("maxEjectionTime: " + maxEjectionTime + " is below baseEjectionTime " + baseEjectionTime);
    }
    if (maxEjectedPercent < 0 || maxEjectedPercent > 100) {
      throw new IllegalArgumentException("maxEjectedPercent: " + maxEjectedPercent + " is outside 0..100");
    }
  }

  /** The documented defaults. */
  public static OutlierDetectionConfig defaults() {
    return new OutlierDetectionConfig(DEFAULT_CONSECUTIVE_CONNECT_FAILURES, DEFAULT_BASE_EJECTION_TIME,
        DEFAULT_MAX_EJECTION_TIME, DEFAULT_MAX_EJECTED_PERCENT);
  }
}
