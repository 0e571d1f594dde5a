package io.ringway.upstream;

import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.LocalMap;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * One data-plane verticle instance's own copy of every upstream cluster (picks and counters never cross
 * loops), each subscribed to its endpoint and health updates, plus the health checkers this instance won.
 * Used from the instance's event loop only.
 *
 * <p>Health checks run once per node, not once per loop nor once per verticle: for each cluster with a
 * check, the first instance (of the TCP proxy or the HTTP router alike) to claim it in a node-local map
 * runs the checker, and every instance's cluster applies what it publishes. Claims are retried on every
 * config change and given up when the cluster or its check goes away or the instance stops, so exactly
 * one instance ends up owning each check.
 */
public final class UpstreamClusters {

  private static final System.Logger LOG = System.getLogger(UpstreamClusters.class.getName());
  /** Cluster name to the id of the instance that runs its health checker, per Vert.x instance. */
  private static final String HEALTH_OWNERS = "ringway.upstream.health-owners";

  private final Vertx vertx;
  private final LocalMap<String, String> owners;
  private final String owner;
  private final int loops;
  private final Executor loop;
  private final Map<String, UpstreamCluster> clusters = new LinkedHashMap<>();
  /** Checkers this instance runs, with the config each was started from. */
  private final Map<String, Future<HealthChecker>> checkers = new HashMap<>();
  private final Map<String, ClusterConfig> checked = new HashMap<>();

  /**
   * @param context the instance's context: requests waiting for room under a cluster's limits are picked on it
   * @param owner this instance's id in health-check claims, unique on the node
   * @param loops instances the clusters are replicated over; each enforces its share of the limits
   */
  public UpstreamClusters(Vertx vertx, Context context, String owner, int loops) {
    this.vertx = vertx;
    this.loop = task -> context.runOnContext(v -> task.run());
    this.owners = vertx.sharedData().getLocalMap(HEALTH_OWNERS);
    this.owner = owner;
    this.loops = loops;
  }

  /** The cluster of that name, or null. */
  public UpstreamCluster get(String name) {
    return clusters.get(name);
  }

  /** Moves to {@code configs}: leases in flight stay valid whatever happens to their cluster. */
  public Future<Void> apply(List<ClusterConfig> configs) {
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
        UpstreamCluster cluster = UpstreamCluster.builder(config).eventLoops(loops).loop(loop).build();
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
        owners.removeIfPresent(name, owner);
      } else if (!sameCheck(checked.get(name), config)) {
        // HealthChecker has no reconfigure: a changed check or static endpoint set restarts it.
        steps.add(startChecker(config, stopChecker(name)));
      }
    }
    for (ClusterConfig config : next.values()) {
      if (config.healthCheck() != null && !checkers.containsKey(config.name())
          && claimHealth(config.name())) {
        steps.add(startChecker(config, Future.succeededFuture()));
      }
    }
    return Future.join(steps).mapEmpty();
  }

  /** True when this instance owns the cluster's check, now or already. */
  private boolean claimHealth(String cluster) {
    String current = owners.putIfAbsent(cluster, owner);
    return current == null || current.equals(owner);
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
  public boolean checks(String name) {
    return checkers.containsKey(name);
  }

  /** Each cluster's {@link ClusterStats#toJson()} plus {@code healthChecker}: whether this instance runs its check. */
  public JsonArray statsJson() {
    JsonArray array = new JsonArray();
    clusters.values().forEach(cluster -> array.add(cluster.stats().toJson().put("healthChecker", checks(cluster.name()))));
    return array;
  }

  /** Stops listening and checking, and frees this instance's claims for whoever comes next. */
  public Future<Void> close() {
    List<Future<?>> steps = new ArrayList<>();
    clusters.values().forEach(cluster -> steps.add(cluster.unsubscribe()));
    for (String name : new ArrayList<>(checkers.keySet())) {
      steps.add(stopChecker(name));
      owners.removeIfPresent(name, owner);
    }
    clusters.clear();
    return Future.join(steps).mapEmpty();
  }
}
