package io.ringway.launcher;

import io.ringway.cluster.RingwayCluster;
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
import sun.misc.Signal;

/** Plugs Ringway into Vert.x's application launcher: our transport and loop count, our root verticle. */
final class RingwayHooks implements VertxApplicationHooks {

  private final PluginCatalog catalog;
  private final ConfigLoader loader;
  private final Path configFile;
  private final ConfigSnapshot snapshot;
  private final TransportSelector.Selection transport;
  private final RingwayCluster cluster;
  private volatile Vertx vertx;
  private volatile NodeVerticle node;
  private volatile boolean deployed;
  private volatile boolean stoppedBeforeReady;

  /** @param cluster the cluster this node joined, or null when it runs standalone */
  RingwayHooks(PluginCatalog catalog, ConfigLoader loader, Path configFile, ConfigSnapshot snapshot,
               TransportSelector.Selection transport, RingwayCluster cluster) {
    this.cluster = cluster;
    this.catalog = catalog;
    this.loader = loader;
    this.configFile = configFile;
    this.snapshot = snapshot;
    this.transport = transport;
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    Signal.handle(new Signal("TERM"), signal -> onTerm());
    options.setEventLoopPoolSize(snapshot.config().eventLoops());
    String name = transport.plugin().name();
    VertxBuilder builder = Vertx.builder().with(options)
        .withTransport(transport.plugin().create(snapshot.config().transportOptions(name)));
    return cluster == null ? builder : builder.withClusterManager(cluster.clusterManager());
  }

  /** Vert.x has left the cluster (or never joined it): the Hazelcast member Ringway started goes too. */
  @Override
  public void afterVertxStopped(HookContext context) {
    if (cluster != null) {
      cluster.leave();
    }
  }

  /** Even when Vert.x failed to stop cleanly, the member leaves, so the others need not wait for the failure timeout. */
  @Override
  public void afterFailureToStopVertx(HookContext context, Throwable cause) {
    afterVertxStopped(context);
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable cause) {
    System.err.println("ringway: cannot start: " + cause.getMessage());
    afterVertxStopped(context);
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    vertx = context.vertx();
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> node = new NodeVerticle(catalog, loader, configFile, snapshot, transport.plugin(), cluster);
  }

  /**
   * SIGTERM drains before the node stops (what Kubernetes sends before SIGKILL): the JVM's own handler
   * would run the shutdown hooks at once and cut in-flight requests. Exit code 0 after a drain, as
   * for any orderly stop. Before the node is ready (a warm-up, a deployment) there is nothing to drain: it
   * stops at once with 143, the JVM's own code for SIGTERM, and says so. SIGINT keeps its default, so Ctrl-C
   * stops a local run at once.
   */
  private void onTerm() {
    if (deployed) {
      node.drain().onComplete(drained -> exit(0));
    } else {
      stoppedBeforeReady = true;
      System.err.println("ringway: SIGTERM before the node was ready; stopping (nothing was served yet, nothing to drain)");
      exit(143);
    }
  }

  /** Not on the event loop: System.exit waits for shutdown hooks, and Vert.x's waits for its loops. */
  private static void exit(int code) {
    Thread.ofPlatform().name("ringway-exit").start(() -> System.exit(code));
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    deployed = true;
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable cause) {
    if (stoppedBeforeReady) {
      return; // the deployment failed because the node is stopping, as onTerm said
    }
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
