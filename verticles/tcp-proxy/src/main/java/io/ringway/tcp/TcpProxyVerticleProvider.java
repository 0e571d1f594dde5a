package io.ringway.tcp;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;

/** Makes the L4 proxy: one instance per event loop, so each loop serves its own connections. */
public final class TcpProxyVerticleProvider implements VerticleProvider {

  @Override
  public String name() {
    return "tcp-proxy";
  }

  @Override
  public boolean perEventLoop() {
    return true;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new TcpProxyVerticle(snapshot);
  }
}
