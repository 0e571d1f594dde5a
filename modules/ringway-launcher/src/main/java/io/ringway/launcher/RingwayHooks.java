package io.ringway.launcher;

import io.ringway.config.ConfigLoader;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigSnapshot;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Plugs Ringway into Vert.x's application launcher: our transport and loop count, our root verticle. */
final class RingwayHooks implements VertxApplicationHooks {

  private final PluginCatalog catalog;
  private final ConfigLoader loader;
  private final Path configFile;
  private final ConfigSnapshot snapshot;
  private final TransportSelector.Selection transport;
  private volatile Vertx vertx;

  RingwayHooks(PluginCatalog catalog, ConfigLoader loader, Path configFile, ConfigSnapshot snapshot,
               TransportSelector.Selection transport) {
    this.catalog = catalog;
    this.loader = loader;
    this.configFile = configFile;
    this.snapshot = snapshot;
    this.transport = transport;
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    options.setEventLoopPoolSize(snapshot.config().eventLoops());
    String name = transport.plugin().name();
    return Vertx.builder().with(options).withTransport(transport.plugin().create(snapshot.config().transportOptions(name)));
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    vertx = context.vertx();
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> new NodeVerticle(catalog, loader, configFile, snapshot, transport.plugin());
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable cause) {
    Throwable reason = cause;
    while (!(reason instanceof StartupException) && reason.getCause() != null) {
      reason = reason.getCause();
    }
    System.err.println("ringway: cannot start: " + reason.getMessage());
  }

  Vertx vertx() {
    return vertx;
  }
}
