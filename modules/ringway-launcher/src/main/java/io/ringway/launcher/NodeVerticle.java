package io.ringway.launcher;

import io.netty.channel.IoEventLoop;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigVerticle;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.LocalCodec;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.TransportPlugin;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The root of a node: checks that the event loops really run on the selected transport, answers
 * {@link Addresses#NODE_INFO}, starts the config watcher, then deploys the configured verticles.
 * Everything it deploys is its child, so undeploying it stops the node.
 */
final class NodeVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(NodeVerticle.class.getName());
  private static final long CONFIG_SCAN_MILLIS = 1000;

  private final PluginCatalog catalog;
  private final ConfigLoader loader;
  private final Path configFile;
  private final ConfigSnapshot initial;
  private final TransportPlugin selected;
  private final Instant startedAt = Instant.now();

  private volatile NodePhase phase = NodePhase.STARTING;
  private volatile long configVersion;
  private volatile String transportInUse = "unknown";

  /**
   * @param configFile the file to watch for changes, or null when the config came from the jar
   */
  NodeVerticle(PluginCatalog catalog, ConfigLoader loader, Path configFile, ConfigSnapshot initial, TransportPlugin selected) {
    this.catalog = catalog;
    this.loader = loader;
    this.configFile = configFile;
    this.initial = initial;
    this.selected = selected;
    this.configVersion = initial.version();
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    transportInUse = probeTransport();
    if (!transportInUse.equals(selected.name())) {
      // Vert.x falls back to NIO by itself when a native transport fails to load; we refuse instead.
      return Future.failedFuture(new StartupException("transport: " + selected.name()
          + " was selected but the event loops run on " + transportInUse));
    }
    vertx.eventBus().<Object>consumer(Addresses.NODE_INFO, message -> message.reply(info()));
    vertx.eventBus().<ConfigSnapshot>consumer(Addresses.CONFIG_APPLIED, message -> configVersion = message.body().version());
    Future<?> started = vertx.deployVerticle(new ConfigVerticle(loader, configFile, initial, CONFIG_SCAN_MILLIS));
    for (String name : initial.config().verticles()) {
      started = started.compose(ignored -> deploy(name));
    }
    return started.onSuccess(ignored -> {
      phase = NodePhase.READY;
      long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      LOG.log(Level.INFO, "Ringway {0} ready in {1,number,#} ms: transport {2}, {3} event loops, config v{4} from {5}, verticles {6}",
          RingwayLauncher.version(), sinceJvmStart, transportInUse, initial.config().eventLoops(), initial.version(),
          initial.source(), initial.config().verticles());
    });
  }

  private Future<String> deploy(String name) {
    VerticleProvider provider = catalog.verticle(name)
        .orElseThrow(() -> new StartupException("verticles: unknown verticle \"" + name + "\""));
    // A data-plane verticle gets one instance per event loop; Vert.x binds each instance to its own
    // loop for life because consecutive deployments take consecutive loops of the group.
    int instances = provider.perEventLoop() ? initial.config().eventLoops() : 1;
    return vertx.deployVerticle(() -> provider.create(initial), new DeploymentOptions().setInstances(instances))
        .recover(cause -> Future.failedFuture(new StartupException(
            cause.getMessage() != null && cause.getMessage().startsWith(name + ":") ? cause.getMessage() : name + ": " + cause.getMessage())));
  }

  private String probeTransport() {
    IoEventLoop loop = (IoEventLoop) ((ContextInternal) context).nettyEventLoop();
    return catalog.transports().stream().filter(plugin -> plugin.drives(loop)).map(TransportPlugin::name)
        .findFirst().orElse(loop.getClass().getName());
  }

  private NodeInfo info() {
    return new NodeInfo(RingwayLauncher.version(), transportInUse, initial.config().eventLoops(), configVersion,
        startedAt, phase);
  }
}
