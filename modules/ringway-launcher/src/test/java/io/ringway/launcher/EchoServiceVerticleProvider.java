package io.ringway.launcher;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * An event-bus service for tests: answers {@code test.echo} with the node it runs on (system property
 * {@code ringway.it.node}), so a test can see a request cross the cluster to the one node that has it.
 */
public final class EchoServiceVerticleProvider implements VerticleProvider {

  static final String ADDRESS = "test.echo";

  @Override
  public String name() {
    return "test-echo-service";
  }

  @Override
  public boolean perEventLoop() {
    return false;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    String node = System.getProperty("ringway.it.node", "unknown");
    return new VerticleBase() {
      @Override
      public Future<?> start() {
        // A clustered consumer: the point is that other members reach it.
        return vertx.eventBus().<JsonObject>consumer(ADDRESS, message -> message.reply(new JsonObject().put("status", 200)
            .put("body", "echo from " + node + " " + message.body().getString("path")))).completion();
      }
    };
  }
}
