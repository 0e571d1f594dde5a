package io.ringway.tcp.impl;

import io.ringway.upstream.UpstreamClusters;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.message.InstanceStats;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Everything one verticle instance runs on its event loop: clusters, listeners, connections and the
 * upstream client. Config changes and drain are applied one after another, in arrival order, so a
 * reload never interleaves with the start or with another reload.
 */
public final class ProxyInstance {

  private static final AtomicLong IDS = new AtomicLong();

  private final Vertx vertx;
  private final String id;
  private final int instances;
  private final NetClient client;
  private final UpstreamClusters clusters;
  private final ProxyLoop loop;
  private final ListenerSet listeners;
  private Future<Void> applied = Future.succeededFuture();
  private long configVersion;
  private boolean draining;

  /** Call on the instance's context: the upstream client and all timers bind to it. */
  public ProxyInstance(Vertx vertx, Context context, Tunables tunables) {
    this.vertx = vertx;
    this.id = "tcp-proxy-" + IDS.incrementAndGet();
    this.instances = Math.max(1, context.getInstanceCount());
    NodeShared node = new NodeShared(vertx);
    // No SO_REUSEADDR (Vert.x's client default): it only matters to bind(2), and the dialer never binds, so
    // it would be one setsockopt per upstream connection for nothing.
    this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setReuseAddress(false));
    this.clusters = new UpstreamClusters(vertx, context, id, instances);
    this.loop = new ProxyLoop(vertx, tunables, clusters, client, instances);
    this.listeners = new ListenerSet(loop, node);
  }

  /** Applies the first config; fails when a listener cannot bind, so the deployment fails. */
  public Future<Void> start(ConfigSnapshot snapshot) {
    return enqueue(() -> apply(snapshot, true));
  }

  /** Applies a newer config; an older or equal version (a replay of the one in force) is ignored. */
  public Future<Void> reload(ConfigSnapshot snapshot) {
    return enqueue(() -> snapshot.version() <= configVersion ? Future.succeededFuture() : apply(snapshot, false));
  }

  /** Stops accepting on every listener, for good; open connections carry on. */
  public Future<Void> drain() {
    return enqueue(() -> {
      draining = true;
      listeners.stopAccepting();
      return Future.succeededFuture();
    });
  }

  private Future<Void> apply(ConfigSnapshot snapshot, boolean strict) {
    configVersion = snapshot.version();
    TcpProxyConfig tcp = snapshot.config().tcp() == null ? TcpProxyConfig.NONE : snapshot.config().tcp();
    // Clusters first: a new listener's first connection needs its cluster.
    return clusters.apply(snapshot.config().clusters()).compose(ready -> listeners.apply(tcp.listeners(), strict));
  }

  private Future<Void> enqueue(Supplier<Future<Void>> step) {
    Future<Void> next = applied.transform(previous -> step.get());
    // A failed step must not block the ones after it; its caller sees the failure.
    applied = next.recover(failed -> Future.succeededFuture());
    return next;
  }

  /** This instance's counters: the stats contract of {@code TcpProxyVerticle}. */
  public InstanceStats stats() {
    return new InstanceStats("tcp-proxy", id, instances, loop.open.size(), new JsonObject()
        .put("thread", Thread.currentThread().getName())
        .put("configVersion", configVersion)
        .put("draining", draining)
        .put("listeners", listeners.statsJson())
        .put("clusters", clusters.statsJson()));
  }

  /** Undeploy: closes every connection, stops checking and listening to the bus. */
  public Future<Void> close() {
    new ArrayList<>(loop.open).forEach(ProxyConnection::closeNow);
    List<Future<?>> steps = List.of(clusters.close(), client.close());
    return Future.join(steps).mapEmpty();
  }
}
