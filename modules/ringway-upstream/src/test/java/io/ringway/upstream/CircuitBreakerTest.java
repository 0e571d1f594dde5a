package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static UpstreamCluster cluster(int maxConnections, int maxPending, int loops) {
    ClusterConfig config = ClusterConfig.of("db", List.of(Endpoint.of("10.0.0.1", 5432), Endpoint.of("10.0.0.2", 5432)))
        .withLimits(new CircuitBreakerConfig(maxConnections, maxPending, CircuitBreakerConfig.DEFAULT_LIMIT));
    return UpstreamCluster.builder(config).eventLoops(loops).build();
  }

  @Test
  void pendingConnectsAreLimitedUntilTheyConnect() {
    UpstreamCluster cluster = cluster(3, 2, 1);
    EndpointLease first = Leases.any(cluster);
    Leases.any(cluster);
    assertThat(cluster.pick()).isEqualTo(Refusal.MAX_PENDING_CONNECTS);

    first.connected();
    EndpointLease third = Leases.any(cluster);
    assertThat(cluster.pick()).isEqualTo(Refusal.MAX_CONNECTIONS);

    third.connectFailed();
    Leases.any(cluster);
    ClusterStats stats = cluster.stats();
    assertThat(stats.activeConnections()).isEqualTo(3);
    assertThat(stats.pendingConnects()).isEqualTo(2);
    assertThat(stats.maxPendingHits()).isEqualTo(1);
    assertThat(stats.maxConnectionsHits()).isEqualTo(1);
    assertThat(stats.totalConnections()).isEqualTo(4);
  }

  @Test
  void eachLoopEnforcesItsShareOfTheClusterLimit() {
    UpstreamCluster cluster = cluster(10, 10, 4);
    List<EndpointLease> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EndpointLease lease = Leases.any(cluster);
      lease.connected();
      leases.add(lease);
    }
    // ceil(10 / 4) = 3 per loop
    assertThat(cluster.pick()).isEqualTo(Refusal.MAX_CONNECTIONS);
    leases.forEach(EndpointLease::release);
    assertThat(cluster.stats().activeConnections()).isZero();
    assertThat(cluster.pick()).isInstanceOf(EndpointLease.class);
  }

  @Test
  void endingALeaseTwiceCountsOnce() {
    UpstreamCluster cluster = cluster(1, 1, 1);
    EndpointLease lease = Leases.any(cluster);
    lease.connected();
    lease.release();
    lease.release();
    lease.connectFailed();
    lease.connected();
    assertThat(lease.isReleased()).isTrue();
    ClusterStats stats = cluster.stats();
    assertThat(stats.activeConnections()).isZero();
    assertThat(stats.pendingConnects()).isZero();
    assertThat(stats.connectFailures()).isZero();
    assertThat(stats.endpoint(lease.endpoint().address()).activeConnections()).isZero();
  }
}
