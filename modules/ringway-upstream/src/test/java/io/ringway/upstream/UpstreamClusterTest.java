package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthTransition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UpstreamClusterTest {

  private static final Endpoint A = Endpoint.of("10.0.0.1", 9001);
  private static final Endpoint B = Endpoint.of("10.0.0.2", 9001);
  private static final Endpoint C = Endpoint.of("10.0.0.3", 9001);

  private static UpstreamCluster cluster(String policy, Endpoint... endpoints) {
    return UpstreamCluster.builder(ClusterConfig.of("echo", List.of(endpoints)).withLoadBalancer(policy))
        .random(new SplittableRandom(4)).build();
  }

  @Test
  void retriesSkipEveryEndpointAlreadyTried() {
    for (String policy : List.of("round_robin", "least_request", "random", "maglev")) {
      UpstreamCluster cluster = cluster(policy, A, B, C);
      List<Endpoint> tried = new ArrayList<>();
      for (int attempt = 0; attempt < 3; attempt++) {
        EndpointLease lease = (EndpointLease) cluster.pick("client-1", tried);
        assertThat(tried).as(policy).noneMatch(e -> e.sameAddress(lease.endpoint()));
        lease.connectFailed();
        tried.add(lease.endpoint());
      }
      assertThat(cluster.pick("client-1", tried)).as(policy).isEqualTo(Refusal.ALL_TRIED);
      assertThat(cluster.stats().allTried()).isEqualTo(1);
    }
  }

  @Test
  void unhealthyEndpointsAreSkippedAndNoneLeftIsARefusal() {
    UpstreamCluster cluster = cluster("round_robin", A, B);
    cluster.applyHealth(new HealthTransition(A.address(), false, "connection refused"));
    for (int i = 0; i < 10; i++) {
      EndpointLease lease = Leases.any(cluster);
      assertThat(lease.endpoint()).isEqualTo(B);
      lease.release();
    }
    cluster.applyHealth(new HealthTransition(B.address(), false, "timeout"));
    cluster.applyHealth(new HealthTransition("10.9.9.9:1", true, "not a member: ignored"));
    assertThat(cluster.pick()).isEqualTo(Refusal.NO_HEALTHY_ENDPOINT);
    assertThat(cluster.stats().noHealthyEndpoint()).isEqualTo(1);
    assertThat(cluster.stats().endpoint(A.address()).healthy()).isFalse();

    cluster.applyHealth(new HealthTransition(A.address(), true, "probe passed"));
    assertThat(Leases.any(cluster).endpoint()).isEqualTo(A);
  }

  @Test
  void anEmptyClusterRefuses() {
    assertThat(cluster("maglev").pick("k")).isEqualTo(Refusal.NO_HEALTHY_ENDPOINT);
  }

  @Test
  void leastRequestSendsNewWorkToTheIdleEndpoint() {
    UpstreamCluster cluster = cluster("least_request", A, B);
    for (int i = 0; i < 8; i++) {
      Leases.on(cluster, A).connected();
    }
    int onB = 0;
    for (int i = 0; i < 1_000; i++) {
      EndpointLease lease = Leases.any(cluster);
      onB += lease.endpoint().equals(B) ? 1 : 0;
      lease.release();
    }
    assertThat(onB).isGreaterThan(900);
  }

  @Test
  void anEndpointsUpdateReplacesTheSetAndKeepsWhatStays() {
    UpstreamCluster cluster = cluster("round_robin", A, B);
    EndpointLease onA = Leases.on(cluster, A);
    onA.connected();
    EndpointLease onB = Leases.on(cluster, B);
    onB.connected();
    Leases.on(cluster, A).connectFailed();
    cluster.applyHealth(new HealthTransition(A.address(), false, "timeout"));

    Endpoint heavierA = new Endpoint(A.host(), A.port(), 3);
    cluster.updateEndpoints(List.of(heavierA, C, C));

    assertThat(cluster.endpoints()).containsExactly(heavierA, C);
    EndpointStats a = cluster.stats().endpoint(A.address());
    assertThat(a.weight()).isEqualTo(3);
    assertThat(a.totalConnections()).isEqualTo(2);
    assertThat(a.connectFailures()).isEqualTo(1);
    assertThat(a.activeConnections()).isEqualTo(1);
    assertThat(a.healthy()).isFalse();
    assertThat(cluster.stats().endpoint(B.address())).isNull();

    Set<Endpoint> picked = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      EndpointLease lease = Leases.any(cluster);
      picked.add(lease.endpoint());
      lease.release();
    }
    assertThat(picked).containsExactly(C);

    // leases on a removed endpoint still settle the cluster's counters
    onB.release();
    onA.release();
    assertThat(cluster.stats().activeConnections()).isZero();
    assertThat(cluster.stats().totalConnections()).isEqualTo(13);
  }

  @Test
  void aReloadKeepsLeasesAndEndpointsFromTheRegistryUnlessConfigChangesThem() {
    ClusterConfig config = ClusterConfig.of("echo", List.of(A)).withLimits(new CircuitBreakerConfig(2, 2, 0));
    UpstreamCluster cluster = UpstreamCluster.builder(config).build();
    EndpointLease held = Leases.any(cluster);
    cluster.updateEndpoints(List.of(A, B));

    cluster.reconfigure(config.withLoadBalancer("maglev").withLimits(new CircuitBreakerConfig(1, 1, 0)));
    assertThat(cluster.endpoints()).containsExactly(A, B);
    assertThat(cluster.pick()).isEqualTo(Refusal.MAX_CONNECTIONS);
    held.release();

    cluster.reconfigure(cluster.config().withEndpoints(List.of(C)));
    assertThat(cluster.endpoints()).containsExactly(C);
    assertThat(cluster.stats().totalConnections()).isEqualTo(1);
  }

  @Test
  void anUnknownPolicyNamesTheKnownOnes() {
    assertThatThrownBy(() -> cluster("fastest", A))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown load balancer \"fastest\" (known: least_request, maglev, random, round_robin)");
  }
}
