package io.ringway.http;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;

/** Makes the HTTP router; one instance per event loop. */
public final class HttpRouterVerticleProvider implements VerticleProvider {

  @Override
  public String name() {
    return "http-router";
  }

  @Override
  public boolean perEventLoop() {
    return true;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new HttpRouterVerticle(snapshot);
  }
}
