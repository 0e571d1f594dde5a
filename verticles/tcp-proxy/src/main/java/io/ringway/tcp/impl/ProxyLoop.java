package io.ringway.tcp.impl;

import io.ringway.upstream.UpstreamClusters;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What one instance's listeners and connections share: all of it used from the instance's own
 * event loop only, so nothing here locks.
 */
final class ProxyLoop {

  final Vertx vertx;
  final Tunables tunables;
  final UpstreamClusters clusters;
  final UpstreamDialer dialer;
  /** Event loops the proxy runs on: a node-wide rate is split evenly over them. */
  final int instances;
  /** Every connection of this instance, whatever listener took it: undeploying closes them all. */
  final Set<ProxyConnection> open = Collections.newSetFromMap(new IdentityHashMap<>());

  ProxyLoop(Vertx vertx, Tunables tunables, UpstreamClusters clusters, NetClient client, int instances) {
    this.vertx = vertx;
    this.instances = instances;
    this.tunables = tunables;
    this.clusters = clusters;
    this.dialer = new UpstreamDialer(client);
  }
}
