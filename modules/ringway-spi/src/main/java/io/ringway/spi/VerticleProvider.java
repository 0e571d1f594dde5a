package io.ringway.spi;

import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.Deployable;

/**
 * A deployable part of Ringway, found by {@link java.util.ServiceLoader} and named in config
 * under {@code verticles}.
 */
public interface VerticleProvider {

  /** The name config uses: {@code admin}, {@code demo-upstream}, {@code tcp-proxy}. */
  String name();

  /**
   * Whether one instance runs on every event loop ({@code instances = eventLoops}), as data-plane
   * verticles do; otherwise one instance.
   */
  boolean perEventLoop();

  /**
   * How many instances to deploy under {@code config}: {@code eventLoops} when {@link #perEventLoop()},
   * else one. A verticle whose spread depends on its own config (the tunnel's multi-queue device)
   * overrides it.
   */
  default int instances(RingwayConfig config) {
    return perEventLoop() ? config.eventLoops() : 1;
  }

  /**
   * Makes one instance. Called once per instance, before deployment, with the config in force; the
   * instance follows later changes on {@link Addresses#CONFIG_APPLIED}.
   */
  Deployable create(ConfigSnapshot snapshot);
}
