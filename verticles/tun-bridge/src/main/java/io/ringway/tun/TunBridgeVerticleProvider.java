package io.ringway.tun;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;

/**
 * Makes the L3 tunnel: one instance, since the peers' sessions live on one event loop (a
 * multi-queue device with one queue per loop would need sessions shared across loops).
 */
public final class TunBridgeVerticleProvider implements VerticleProvider {

  @Override
  public String name() {
    return "tun-bridge";
  }

  @Override
  public boolean perEventLoop() {
    return false;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new TunBridgeVerticle(snapshot);
  }
}
