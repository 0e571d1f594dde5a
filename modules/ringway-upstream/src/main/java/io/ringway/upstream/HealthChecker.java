package io.ringway.upstream;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.upstream.impl.HealthCheckerImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Active health checks of one cluster: probes each endpoint every interval over a real TCP
 * connection and publishes each threshold crossing on {@code ringway.health.<cluster>}, where every
 * loop's {@link UpstreamCluster} applies it. Run one per cluster per node, not one per loop: the
 * verdict is the same for all loops, and probes would otherwise multiply by the loop count. Follows
 * endpoint updates on {@code ringway.endpoints.<cluster>}.
 */
public interface HealthChecker {

  /**
   * Starts checking on the caller's context (a new one when called off Vert.x); the first round of
   * probes starts at once.
   *
   * @throws IllegalArgumentException when the cluster has no health check configured
   */
  static Future<HealthChecker> start(Vertx vertx, ClusterConfig config) {
    return HealthCheckerImpl.start(vertx, config);
  }

  /** Stops probing and listening; probes in flight finish without publishing. */
  Future<Void> close();
}
