package io.ringway.tun;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.Deployable;

/**
 * Makes the L3 tunnel: one instance, or with {@code tun.multiQueue} one per event loop, each with its
 * own queue of the device and its own UDP socket, all sharing one session table ({@code impl.SharedTunnel}).
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
  public int instances(RingwayConfig config) {
    return config.tun().multiQueue() ? config.eventLoops() : 1;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new TunBridgeVerticle(snapshot);
  }
}
