package io.ringway.tcp.impl;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The little state the proxy's instances share on one node (one Vert.x), in local maps so that two
 * Vert.x instances in one JVM (tests) stay apart. Nothing here is touched per byte: a gauge moves
 * once per connection, a claim once per config change.
 */
final class NodeShared {

  /**
   * Who runs the health checker of each cluster: cluster name to owner id. Named for the upstream
   * module rather than this verticle, so that another user of the clusters (the HTTP router) can
   * take part in the same election instead of probing twice.
   */
  static final String HEALTH_OWNERS = "ringway.upstream.health-owners";
  private static final String GAUGES = "ringway.tcp-proxy.connections";

  private final LocalMap<String, String> owners;
  private final LocalMap<String, Gauge> gauges;

  NodeShared(Vertx vertx) {
    this.owners = vertx.sharedData().getLocalMap(HEALTH_OWNERS);
    this.gauges = vertx.sharedData().getLocalMap(GAUGES);
  }

  /** Claims a cluster's health checker for {@code owner}; true when it is (now or already) the owner. */
  boolean claimHealth(String cluster, String owner) {
    String current = owners.putIfAbsent(cluster, owner);
    return current == null || current.equals(owner);
  }

  /** Gives a claim up, if {@code owner} holds it, so the next instance to look may take it. */
  void releaseHealth(String cluster, String owner) {
    owners.removeIfPresent(cluster, owner);
  }

  /** The node-wide count of one listener's open connections, which {@code maxConnections} bounds. */
  Gauge gauge(String listener) {
    Gauge fresh = new Gauge();
    Gauge existing = gauges.putIfAbsent(listener, fresh);
    return existing == null ? fresh : existing;
  }

  /** Open connections of one listener over all loops of the node. */
  static final class Gauge implements Shareable {
    private final AtomicInteger open = new AtomicInteger();

    /** Counts one more connection unless {@code limit} are open already. */
    boolean tryAcquire(int limit) {
      while (true) {
        int now = open.get();
        if (now >= limit) {
          return false;
        }
        if (open.compareAndSet(now, now + 1)) {
          return true;
        }
      }
    }

    void release() {
      open.decrementAndGet();
    }
  }
}
