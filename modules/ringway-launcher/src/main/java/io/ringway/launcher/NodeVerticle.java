package io.ringway.launcher;

import io.netty.channel.IoEventLoop;
import io.ringway.cluster.RingwayCluster;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigVerticle;
import io.ringway.config.PluginCatalog;
import io.ringway.launcher.affinity.LoopPinning;
import io.ringway.spi.Addresses;
import io.ringway.spi.LoopPlacement;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.TransportPlugin;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.WarmupReport;
import io.ringway.spi.config.EventLoopAffinity;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.DrainOrder;
import io.ringway.spi.message.DrainStatus;
import io.ringway.spi.message.MessageCodecs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The root of a node: checks that the event loops really run on the selected transport, answers
 * {@link Addresses#NODE_INFO}, starts the config watcher, then deploys the configured verticles.
 * Everything it deploys is its child, so undeploying it stops the node.
 */
final class NodeVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(NodeVerticle.class.getName());
  private static final long CONFIG_SCAN_MILLIS = 1000;
  private static final long DRAIN_POLL_MILLIS = 100;
  private static final Duration STATS_TIMEOUT = Duration.ofMillis(500);

  private final PluginCatalog catalog;
  private final ConfigLoader loader;
  private final Path configFile;
  private final ConfigSnapshot initial;
  private final TransportPlugin selected;
  private final RingwayCluster cluster;
  private final Instant startedAt = Instant.now();

  private volatile NodePhase phase = NodePhase.STARTING;
  private volatile long configVersion;
  private volatile String transportInUse = "unknown";
  private volatile Duration drainTimeout;
  private volatile io.ringway.spi.config.RingwayConfig current;
  private volatile EventLoopAffinity affinity = EventLoopAffinity.NONE;
  private volatile List<LoopPlacement> loops = List.of();
  private volatile WarmupReport warmup;
  private Instant drainDeadline;
  private Future<Void> drained;

  /**
   * @param configFile the file to watch for changes, or null when the config came from the jar
   * @param cluster the cluster this node joined, or null when standalone
   */
  NodeVerticle(PluginCatalog catalog, ConfigLoader loader, Path configFile, ConfigSnapshot initial, TransportPlugin selected,
               RingwayCluster cluster) {
    this.cluster = cluster;
    this.catalog = catalog;
    this.loader = loader;
    this.configFile = configFile;
    this.initial = initial;
    this.selected = selected;
    this.configVersion = initial.version();
    this.drainTimeout = initial.config().admin().drainTimeout();
    this.current = initial.config();
  }

  /**
   * Drains the node, once: {@code /ready} turns 503, every data-plane verticle stops accepting
   * ({@link Addresses#DRAIN}), and the future completes when nothing is in flight any more or the
   * drain timeout passed, whichever comes first. Safe from any thread.
   */
  Future<Void> drain() {
    Promise<Future<Void>> started = Promise.promise();
    context.runOnContext(onLoop -> started.complete(startDrain()));
    return started.future().compose(future -> future);
  }

  /** Starts the drain unless it runs already; on this verticle's context. */
  private Future<Void> startDrain() {
    if (drained == null) {
      phase = NodePhase.DRAINING;
      drainDeadline = Instant.now().plus(drainTimeout);
      Promise<Void> done = Promise.promise();
      drained = done.future();
      // Before the listeners close: afterwards the node's own sockets no longer show beside the other's.
      vertx.executeBlocking(() -> ReuseportHandover.warning(listenerPorts())).onComplete(checked -> {
        if (checked.succeeded() && checked.result() != null) {
          LOG.log(Level.WARNING, checked.result());
        }
        LOG.log(Level.INFO, "draining: stopped accepting; waiting up to {0,number,#} ms for in-flight work", drainTimeout.toMillis());
        vertx.eventBus().publish(Addresses.DRAIN, new DrainOrder(drainDeadline), new DeliveryOptions().setLocalOnly(true));
        awaitIdle(new StatsCollector(vertx, STATS_TIMEOUT), done);
      });
    }
    return drained;
  }

  /** The data-plane ports of the config in force. */
  private List<Integer> listenerPorts() {
    List<Integer> ports = new java.util.ArrayList<>();
    current.http().listeners().forEach(listener -> ports.add(listener.port()));
    current.tcp().listeners().forEach(listener -> ports.add(listener.port()));
    return ports;
  }

  /** Polls the in-flight count until it is zero or the deadline passed. */
  private void awaitIdle(StatsCollector stats, Promise<Void> done) {
    stats.collect().onComplete(collected -> {
      long inFlight = collected.succeeded() ? collected.result().inFlight() : -1;
      if (inFlight == 0) {
        LOG.log(Level.INFO, "drained: nothing in flight");
        done.complete();
      } else if (!Instant.now().isBefore(drainDeadline)) {
        LOG.log(Level.WARNING, "drain timeout passed with {0} connections or requests in flight; stopping anyway", inFlight);
        done.complete();
      } else {
        vertx.setTimer(DRAIN_POLL_MILLIS, fired -> awaitIdle(stats, done));
      }
    });
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    transportInUse = probeTransport();
    if (!transportInUse.equals(selected.name())) {
      // Vert.x falls back to NIO by itself when a native transport fails to load; we refuse instead.
      return Future.failedFuture(new StartupException("transport: " + selected.name()
          + " was selected but the event loops run on " + transportInUse));
    }
    // Local consumers: on a clustered bus these questions are about this node, never another member.
    vertx.eventBus().<Object>localConsumer(Addresses.NODE_INFO, message -> message.reply(info()));
    vertx.eventBus().<ConfigSnapshot>localConsumer(Addresses.CONFIG_APPLIED, message -> {
      configVersion = message.body().version();
      drainTimeout = message.body().config().admin().drainTimeout();
      current = message.body().config();
      if (!current.affinity().equals(affinity)) {
        placeLoops(current.affinity()).onFailure(cause -> LOG.log(Level.WARNING, "{0}; the loops keep {1}",
            cause.getMessage(), affinity));
      }
    });
    vertx.eventBus().<Object>localConsumer(Addresses.NODE_DRAIN, message -> {
      startDrain();
      message.reply(new DrainStatus(phase, drainDeadline));
    });
    // Before anything is deployed: the verticles' first allocations then land on the loop's own core.
    // The warm-up runs before the node's own listeners bind: a client meets a compiled data path or none.
    Future<?> started = placeLoops(initial.config().affinity())
        .recover(cause -> Future.failedFuture(new StartupException(cause.getMessage())))
        .compose(placed -> new NodeWarmup(vertx, catalog, initial.config()).run())
        .compose(warmed -> {
          warmup = warmed;
          return vertx.deployVerticle(new ConfigVerticle(loader, watchedFile(), initial, CONFIG_SCAN_MILLIS));
        });
    for (String name : initial.config().verticles()) {
      started = started.compose(ignored -> deploy(name));
    }
    if (cluster != null) {
      // After the data plane, so the endpoint sets and config version the cluster holds reach it at once.
      started = started.compose(ignored -> cluster.deploy(vertx, loader, initial)
          .recover(cause -> Future.failedFuture(new StartupException("cluster: " + cause.getMessage()))));
    }
    return started.onSuccess(ignored -> {
      phase = NodePhase.READY;
      long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      LOG.log(Level.INFO, "Ringway {0} ready in {1,number,#} ms: transport {2}, {3} event loops, config v{4} from {5}, verticles {6}",
          RingwayLauncher.version(), sinceJvmStart, transportInUse, initial.config().eventLoops(), initial.version(),
          initial.source(), initial.config().verticles());
    });
  }

  /**
   * The file to watch, or null: a clustered node takes config changes from the cluster ({@code PUT /config})
   * only, so a local edit cannot fork it from the others or race the cluster for version numbers.
   */
  private Path watchedFile() {
    if (cluster != null && configFile != null) {
      LOG.log(Level.INFO, "clustered: {0} is read at start only; change the config with PUT /config", configFile);
      return null;
    }
    return configFile;
  }

  private Future<String> deploy(String name) {
    VerticleProvider provider = catalog.verticle(name)
        .orElseThrow(() -> new StartupException("verticles: unknown verticle \"" + name + "\""));
    // A data-plane verticle gets one instance per event loop; Vert.x binds each instance to its own
    // loop for life because consecutive deployments take consecutive loops of the group.
    int instances = provider.instances(initial.config());
    return vertx.deployVerticle(() -> provider.create(initial), new DeploymentOptions().setInstances(instances))
        .recover(cause -> Future.failedFuture(new StartupException(
            cause.getMessage() != null && cause.getMessage().startsWith(name + ":") ? cause.getMessage() : name + ": " + cause.getMessage())));
  }

  private String probeTransport() {
    IoEventLoop loop = (IoEventLoop) ((ContextInternal) context).nettyEventLoop();
    return catalog.transports().stream().filter(plugin -> plugin.drives(loop)).map(TransportPlugin::name)
        .findFirst().orElse(loop.getClass().getName());
  }

  /** Pins the loops; what is in force changes only when every loop took its place. */
  private Future<List<LoopPlacement>> placeLoops(EventLoopAffinity wanted) {
    return LoopPinning.apply(vertx, wanted).onSuccess(placed -> {
      affinity = wanted;
      loops = placed;
      if (wanted.mode() != EventLoopAffinity.Mode.NONE) {
        LOG.log(Level.INFO, "event loops pinned ({0}): {1}", wanted, placed.stream()
            .map(loop -> loop.thread() + " on CPU " + loop.cpus()).collect(java.util.stream.Collectors.joining(", ")));
      }
    });
  }

  private NodeInfo info() {
    return new NodeInfo(RingwayLauncher.version(), transportInUse, initial.config().eventLoops(), configVersion,
        startedAt, phase, affinity.toString(), loops, warmup);
  }
}
