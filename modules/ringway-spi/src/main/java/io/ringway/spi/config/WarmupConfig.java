package io.ringway.spi.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code warmup}: before a node binds its own listeners, it runs its data path hot on private loopback ports, so
 * the JIT has compiled that path by the time the node reports ready. Read at start only.
 *
 * @param enabled whether the node warms up (default false)
 * @param maxDuration the longest the warm-up runs; it ends sooner once the JIT compiler has settled
 */
public record WarmupConfig(boolean enabled, Duration maxDuration) {

  public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(15);
  /** Beyond {@code maxDuration}, for setting up and for the load's last answers; none takes seconds on a sane node. */
  public static final Duration SET_UP_SLACK = Duration.ofSeconds(30);
  public static final WarmupConfig DISABLED = new WarmupConfig(false, DEFAULT_MAX_DURATION);

  public WarmupConfig {
    Objects.requireNonNull(maxDuration, "maxDuration");
  }

  /**
   * The longest a warm-up holds the node's start before it is abandoned and the node starts cold: {@code maxDuration}
   * and {@link #SET_UP_SLACK}. Its teardown follows, each step bounded too.
   */
  public Duration bound() {
    return maxDuration.plus(SET_UP_SLACK);
  }
}
