package io.ringway.demo;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;

/** Makes the demo backends; one instance per event loop, like the proxies in front of them. */
public final class DemoUpstreamVerticleProvider implements VerticleProvider {

  @Override
  public String name() {
    return "demo-upstream";
  }

  @Override
  public boolean perEventLoop() {
    return true;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new DemoUpstreamVerticle(snapshot.config().demoUpstream());
  }
}
