package io.ringway.upstream;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.upstream.impl.UpstreamClusterImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * One upstream cluster as one event loop sees it: endpoints, their health and ejections, the load
 * balancer and the circuit breaker. Each data-plane verticle instance builds its own and uses it
 * from its own loop only, so nothing here locks; the control plane reaches every instance through
 * the event bus ({@link #subscribe}).
 */
public interface UpstreamCluster {

  /** Starts building a cluster from its config. */
  static Builder builder(ClusterConfig config) {
    return new Builder(config);
  }

  /** The cluster's name, as listeners and routes refer to it. */
  String name();

  /** The config in force. */
  ClusterConfig config();

  /** The current endpoint set, from config or from the latest endpoints update. */
  List<Endpoint> endpoints();

  /** Picks an endpoint with no hash key and nothing tried yet. */
  default PickResult pick() {
    return pick(null, List.of());
  }

  /** Picks an endpoint for a hash key ({@code null} for none): a first attempt. */
  default PickResult pick(String hashKey) {
    return pick(hashKey, List.of());
  }

  /**
   * Picks an endpoint, or says why none may be used now.
   *
   * @param hashKey the consistent-hash key (source address, header, cookie), or {@code null}
   * @param tried endpoints this request already tried, skipped on a retry; matched by address
   */
  PickResult pick(String hashKey, List<Endpoint> tried);

  /**
   * Picks as {@link #pick(String, List)} does, except that when the cluster is at {@code maxConnections} or
   * {@code maxPendingConnects} the request takes a place in the cluster's queue (up to {@code maxPendingRequests}
   * on this loop) and its pick runs later, when a lease ends, with the result handed to {@code then} on the
   * loop. While requests wait, new ones queue behind them. Refuses with {@link Refusal#MAX_PENDING_REQUESTS} when
   * the queue is full, and never queues when the cluster was built without a {@link Builder#loop loop}.
   */
  Admission pickOrWait(String hashKey, List<Endpoint> tried, Consumer<PickResult> then);

  /** Replaces the endpoint set at once; endpoints that stay keep their counters, health and ejections. */
  void updateEndpoints(List<Endpoint> endpoints);

  /** Applies a health checker's verdict; an address not in the set is ignored. */
  void applyHealth(HealthTransition transition);

  /**
   * Takes a reloaded config of the same cluster: balancer, limits and outlier detection change, open
   * leases stay. The static endpoints replace the set only when the config changed them, so a reload
   * that leaves them alone keeps endpoints a registry supplied.
   */
  void reconfigure(ClusterConfig config);

  /**
   * Listens on {@code ringway.endpoints.<name>} and {@code ringway.health.<name>} on the caller's
   * context, which must be the loop that uses this cluster. Completes once both are registered.
   */
  Future<Void> subscribe(Vertx vertx);

  /** Stops listening to the event bus. */
  Future<Void> unsubscribe();

  /** A snapshot of this loop's counters. */
  ClusterStats stats();

  /** Options that tests and the verticle set; config itself comes from {@link ClusterConfig}. */
  final class Builder {
    private final ClusterConfig config;
    private int eventLoops = 1;
    private LongSupplier nanoClock = System::nanoTime;
    private RandomGenerator random;
    private Executor loop;

    private Builder(ClusterConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Loops the cluster is replicated over; each instance enforces its share of the limits. */
    public Builder eventLoops(int eventLoops) {
      if (eventLoops < 1) {
        throw new IllegalArgumentException("eventLoops: " + eventLoops + " must be at least 1");
      }
      this.eventLoops = eventLoops;
      return this;
    }

    /** The time source for ejections, in nanoseconds like {@link System#nanoTime()}. */
    public Builder clock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /** The balancers' randomness; a fresh unseeded one by default. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Runs the picks of queued requests as tasks of the owning loop, after the code that freed their room
     * (a request that ends returns its connection to the pool first, so the next one can reuse it). Without
     * it, {@link #pickOrWait} refuses instead of queueing.
     */
    public Builder loop(Executor loop) {
      this.loop = Objects.requireNonNull(loop, "loop");
      return this;
    }

    /** Builds it; throws {@link IllegalArgumentException} when the load balancer's name is unknown. */
    public UpstreamCluster build() {
      return new UpstreamClusterImpl(config, eventLoops, nanoClock, random == null ? new SplittableRandom() : random,
          loop);
    }
  }
}
