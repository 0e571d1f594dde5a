package io.ringway.spi;

/**
 * Names of the maps plugins share through {@code vertx.sharedData()}: node-local when standalone, Hazelcast maps
 * when clustered, where the cluster module gives each its settings.
 */
public final class SharedMaps {

  /**
   * The cluster-wide rate limits' window counters (key: route, key and window; value: tokens handed out). Entries
   * expire {@link #RATE_LIMIT_TTL_SECONDS} after their last write, so keys that stop coming leave nothing behind.
   */
  public static final String RATE_LIMITS = "ringway.rate-limits";
  /** How long a window counter outlives its last write: more than the longest window (60 s). */
  public static final int RATE_LIMIT_TTL_SECONDS = 120;

  private SharedMaps() {
  }
}
