package io.ringway.tcp.impl;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection counts the proxy's instances share on one node (one Vert.x), in a local map so that two
 * Vert.x instances in one JVM (tests) stay apart. Nothing here is touched per byte: a gauge moves once
 * per connection.
 */
final class NodeShared {

  private static final String GAUGES = "ringway.tcp-proxy.connections";

  private final LocalMap<String, Gauge> gauges;

  NodeShared(Vertx vertx) {
    this.gauges = vertx.sharedData().getLocalMap(GAUGES);
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
