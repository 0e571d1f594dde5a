package io.ringway.admin;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;

/** Makes the admin API; one instance per node because it owns one listener. */
public final class AdminVerticleProvider implements VerticleProvider {

  @Override
  public String name() {
    return "admin";
  }

  @Override
  public boolean perEventLoop() {
    return false;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    return new AdminVerticle(snapshot.config().admin());
  }
}
