package io.ringway.upstream.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.upstream.HealthChecker;
import io.ringway.upstream.UpstreamTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.net.NetClientOptions;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every field is touched on {@link #context} only. */
public final class HealthCheckerImpl implements HealthChecker {

  private static final System.Logger LOG = System.getLogger(HealthCheckerImpl.class.getName());

  private final Vertx vertx;
  private final String cluster;
  private final HealthCheckConfig check;
  /** The cluster as configured: its {@code tls} decides how the TCP probe connects. */
  private final ClusterConfig config;
  private final Context context;
  private Map<String, Target> targets = new LinkedHashMap<>();
  private Probe probe;
  private MessageConsumer<Object> updates;
  private long timer = -1;
  private boolean closed;

  private HealthCheckerImpl(Vertx vertx, ClusterConfig config) {
    if (config.healthCheck() == null) {
      throw new IllegalArgumentException("cluster " + config.name() + " has no health check configured");
    }
    this.vertx = vertx;
    this.cluster = config.name();
    this.config = config;
    this.check = config.healthCheck();
    this.context = vertx.getOrCreateContext();
    retarget(config.endpoints());
  }

  public static Future<HealthChecker> start(Vertx vertx, ClusterConfig config) {
    HealthCheckerImpl checker = new HealthCheckerImpl(vertx, config);
    Promise<HealthChecker> started = Promise.promise();
    checker.context.runOnContext(v -> checker.startHere().<HealthChecker>map(checker).onComplete(started));
    return started.future();
  }

  private Future<Void> startHere() {
    MessageCodecs.registerAll(vertx); // it publishes HealthTransition records, whoever deployed it
    // The cluster's files are read off the loop, as the router reads them.
    Future<UpstreamTls> tls = config.tls() == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> UpstreamTls.load(config));
    return tls.map(this::newProbe).compose(ready -> {
      probe = ready;
      // Closed while the files were being read: nothing may start after close().
      return closed ? ready.close() : listen();
    });
  }

  /** The check's probe: gRPC or TCP, in the cluster's TLS when {@code tls} is not null. */
  private Probe newProbe(UpstreamTls tls) {
    if (check.grpcService() != null) {
      return new GrpcProbe(vertx, check, tls);
    }
    NetClientOptions options = tls == null ? new NetClientOptions() : tls.netClientOptions();
    int connectTimeout = (int) Math.max(1, check.timeout().toMillis());
    return new TcpProbe(vertx, vertx.createNetClient(options.setConnectTimeout(connectTimeout)), check, tls);
  }

  private Future<Void> listen() {
    updates = vertx.eventBus().localConsumer(Addresses.endpoints(cluster), message -> {
      try {
        retarget(ControlMessages.decode(message.body(), EndpointsUpdate.class).endpoints());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "health check of " + cluster + ": ignored malformed endpoints update: " + e.getMessage());
      }
    });
    probeAll();
    timer = vertx.setPeriodic(Math.max(1, check.interval().toMillis()), id -> probeAll());
    return updates.completion();
  }

  /** Endpoints that stay keep their state; new ones start healthy like the clusters' own view of them. */
  private void retarget(List<Endpoint> endpoints) {
    Map<String, Target> next = new LinkedHashMap<>();
    for (Endpoint endpoint : endpoints) {
      Target target = targets.get(endpoint.address());
      next.putIfAbsent(endpoint.address(), target != null ? target
          : new Target(endpoint, new HealthState(check.healthyThreshold(), check.unhealthyThreshold())));
    }
    targets.forEach((address, target) -> target.member = next.containsKey(address));
    targets = next;
  }

  private void probeAll() {
    for (Target target : targets.values()) {
      // a probe slower than the interval is not stacked on: the endpoint is probed once at a time
      if (!target.inFlight) {
        Future<Void> run;
        try {
          run = probe.run(target.endpoint);
        } catch (IllegalStateException closedClient) {
          // Vert.x is closing and closed the probe's client before this timer ("Client is closed"): no probe, and no
          // endpoint judged unhealthy for it.
          return;
        }
        target.inFlight = true;
        run.onComplete(result -> {
          target.inFlight = false;
          String reason = result.succeeded() ? "probe passed" : String.valueOf(result.cause().getMessage());
          record(target, result.succeeded(), reason);
        });
      }
    }
  }

  private void record(Target target, boolean passed, String reason) {
    if (closed || !target.member || !target.state.record(passed)) {
      return;
    }
    HealthTransition transition = new HealthTransition(target.endpoint.address(), passed, reason);
    LOG.log(Level.INFO, "cluster " + cluster + ": " + transition.endpoint() + " is now "
        + (passed ? "healthy" : "unhealthy") + " (" + reason + ")");
    // Local only: on a clustered bus another node's proxies judge endpoint health from their own probes.
    vertx.eventBus().publish(Addresses.health(cluster), transition, new DeliveryOptions().setLocalOnly(true));
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(timer);
      Future<Void> unregistered = updates == null ? Future.succeededFuture() : updates.unregister();
      Future<Void> clientClosed = probe == null ? Future.succeededFuture() : probe.close();
      Future.all(unregistered, clientClosed).<Void>mapEmpty().onComplete(done);
    });
    return done.future();
  }

  private static final class Target {
    final Endpoint endpoint;
    final HealthState state;
    boolean inFlight;
    boolean member = true;

    Target(Endpoint endpoint, HealthState state) {
      this.endpoint = endpoint;
      this.state = state;
    }
  }
}
