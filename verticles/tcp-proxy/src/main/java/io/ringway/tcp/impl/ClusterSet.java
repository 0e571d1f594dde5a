package io.ringway.tcp.impl;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.upstream.HealthChecker;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * This instance's own copy of every upstream cluster (picks and counters never cross loops), each
 * subscribed to its endpoint and health updates, plus the health checkers this instance won.
 *
 * <p>Health checks run once per node, not once per loop: for each cluster with a check, the first
 * instance to claim it in {@link NodeShared} runs the checker, and every instance's cluster applies
 * what it publishes. Claims are retried on every config change and given up when the cluster or its
 * check goes away or the instance stops, so exactly one instance ends up owning each check.
 */
final class ClusterSet {

  private static final System.Logger LOG = System.getLogger(ClusterSet.class.getName());

  private final Vertx vertx;
  private final NodeShared node;
  private final String owner;
  private final int loops;
  private final Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
  /** Checkers this instance runs, with the config each was started from. */
  private final Map<String, Future<HealthChecker>> checkers = new HashMap<>();
  private final Map<String, ClusterConfig> checked = new HashMap<>();

  /**
   * @param owner this instance's id in health-check claims
   * @param loops instances the clusters are replicated over; each enforces its share of the limits
   */
  ClusterSet(Vertx vertx, NodeShared node, String owner, int loops) {
    this.vertx = vertx;
    this.node = node;
    this.owner = owner;
    this.loops = loops;
  }

  UpstreamCluster get(String name) {
    return clusters.get(name);
  }

  /** Moves to {@code configs}: leases in flight stay valid whatever happens to their cluster. */
  Future<Void> apply(List<ClusterConfig> configs) {
    Map<String, ClusterConfig> next = new LinkedHashMap<>();
    configs.forEach(config -> next.put(config.name(), config));
    List<Future<?>> steps = new ArrayList<>();
    for (String name : new ArrayList<>(clusters.keySet())) {
      if (!next.containsKey(name)) {
        steps.add(clusters.remove(name).unsubscribe());
      }
    }
    for (ClusterConfig config : configs) {
      UpstreamCluster current = clusters.get(config.name());
      if (current == null) {
        UpstreamCluster cluster = UpstreamCluster.builder(config).eventLoops(loops).build();
        clusters.put(config.name(), cluster);
        steps.add(cluster.subscribe(vertx));
      } else if (!current.config().equals(config)) {
        current.reconfigure(config);
      }
    }
    steps.add(reconcileHealth(next));
    return Future.join(steps).mapEmpty();
  }

  private Future<Void> reconcileHealth(Map<String, ClusterConfig> next) {
    List<Future<?>> steps = new ArrayList<>();
    for (String name : new ArrayList<>(checkers.keySet())) {
      ClusterConfig config = next.get(name);
      if (config == null || config.healthCheck() == null) {
        steps.add(stopChecker(name));
        node.releaseHealth(name, owner);
      } else if (!sameCheck(checked.get(name), config)) {
        // HealthChecker has no reconfigure: a changed check or static endpoint set restarts it.
        steps.add(startChecker(config, stopChecker(name)));
      }
    }
    for (ClusterConfig config : next.values()) {
      if (config.healthCheck() != null && !checkers.containsKey(config.name())
          && node.claimHealth(config.name(), owner)) {
        steps.add(startChecker(config, Future.succeededFuture()));
      }
    }
    return Future.join(steps).mapEmpty();
  }

  private static boolean sameCheck(ClusterConfig running, ClusterConfig config) {
    return running != null && Objects.equals(running.healthCheck(), config.healthCheck())
        && running.endpoints().equals(config.endpoints());
  }

  /** Registers the checker at once, so the same pass cannot start it twice, and starts it after {@code after}. */
  private Future<HealthChecker> startChecker(ClusterConfig config, Future<?> after) {
    Future<HealthChecker> started = after.transform(previous -> HealthChecker.start(vertx, config))
        .onFailure(e -> LOG.log(Level.ERROR, "cluster " + config.name() + ": health checker failed to start", e));
    checkers.put(config.name(), started);
    checked.put(config.name(), config);
    return started;
  }

  private Future<?> stopChecker(String name) {
    checked.remove(name);
    Future<HealthChecker> running = checkers.remove(name);
    return running == null ? Future.succeededFuture() : running.compose(HealthChecker::close, failed -> Future.succeededFuture());
  }

  /** Whether this instance runs the cluster's health checker; for stats and tests. */
  boolean checks(String name) {
    return checkers.containsKey(name);
  }

  JsonArray statsJson() {
    JsonArray array = new JsonArray();
    clusters.values().forEach(cluster -> array.add(cluster.stats().toJson().put("healthChecker", checks(cluster.name()))));
    return array;
  }

  /** Stops listening and checking, and frees this instance's claims for whoever comes next. */
  Future<Void> close() {
    List<Future<?>> steps = new ArrayList<>();
    clusters.values().forEach(cluster -> steps.add(cluster.unsubscribe()));
    for (String name : new ArrayList<>(checkers.keySet())) {
      steps.add(stopChecker(name));
      node.releaseHealth(name, owner);
    }
    clusters.clear();
    return Future.join(steps).mapEmpty();
  }
}
