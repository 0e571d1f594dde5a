package io.ringway.config.impl;

import io.ringway.spi.config.WarmupConfig;
import java.time.Duration;

/** {@code warmup}: whether a node runs its data path hot before it binds its listeners, and for how long at most. */
final class WarmupSection {

  private WarmupSection() {
  }

  static WarmupConfig read(ConfigReader root) {
    ConfigReader warmup = root.object("warmup");
    boolean enabled = warmup.bool("enabled", false);
    // At least a second: the warm-up measures the JIT's work per second to see it settle.
    Duration maxDuration = warmup.duration("maxDuration", Duration.ofSeconds(1), Duration.ofMinutes(5),
        WarmupConfig.DEFAULT_MAX_DURATION);
    warmup.rejectUnknownKeys();
    return new WarmupConfig(enabled, maxDuration);
  }
}
