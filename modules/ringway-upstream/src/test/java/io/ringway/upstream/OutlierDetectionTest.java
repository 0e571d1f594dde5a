package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.OutlierDetectionConfig;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutlierDetectionTest {

  private static final Endpoint A = Endpoint.of("10.0.0.1", 7000);
  private static final Endpoint B = Endpoint.of("10.0.0.2", 7000);
  private static final Endpoint C = Endpoint.of("10.0.0.3", 7000);
  private static final Endpoint D = Endpoint.of("10.0.0.4", 7000);
  private static final Duration BASE = Duration.ofSeconds(10);

  private final FakeClock clock = new FakeClock();

  private UpstreamCluster cluster(int maxEjectedPercent) {
    OutlierDetectionConfig outliers = new OutlierDetectionConfig(3, BASE, Duration.ofSeconds(25), maxEjectedPercent);
    return UpstreamCluster.builder(ClusterConfig.of("api", List.of(A, B, C, D)).withOutlierDetection(outliers))
        .clock(clock).random(new SplittableRandom(1)).build();
  }

  private static boolean picksEver(UpstreamCluster cluster, Endpoint endpoint) {
    for (int i = 0; i < 100; i++) {
      EndpointLease lease = Leases.any(cluster);
      lease.release();
      if (lease.endpoint().sameAddress(endpoint)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void consecutiveFailuresEjectForExactlyTheBaseTime() {
    UpstreamCluster cluster = cluster(50);
    Leases.failConnects(cluster, A, 2);
    assertThat(cluster.stats().endpoint(A.address()).ejected()).isFalse();
    Leases.failConnects(cluster, A, 1);

    assertThat(cluster.stats().endpoint(A.address()).ejected()).isTrue();
    assertThat(cluster.stats().ejections()).isEqualTo(1);
    assertThat(picksEver(cluster, A)).isFalse();

    clock.advanceNanos(BASE.toNanos() - 1);
    assertThat(picksEver(cluster, A)).isFalse();
    clock.advanceNanos(1);
    assertThat(picksEver(cluster, A)).isTrue();
    assertThat(cluster.stats().endpoint(A.address()).ejected()).isFalse();
  }

  @Test
  void aRefusedConnectEjectsAtOnceAndOtherFailuresStillNeedTheStreak() throws Exception {
    UpstreamCluster cluster = cluster(50);
    Leases.on(cluster, B).connectFailed(new java.net.SocketTimeoutException("connect timed out"));
    Leases.on(cluster, B).connectFailed(new java.net.ConnectException("Network is unreachable"));
    assertThat(cluster.stats().endpoint(B.address()).ejected()).as("two failures, no refusal").isFalse();

    Leases.on(cluster, A).connectFailed(refusal());
    assertThat(cluster.stats().endpoint(A.address()).ejected()).isTrue();
    assertThat(cluster.stats().ejections()).isEqualTo(1);
    assertThat(cluster.stats().refusalEjections()).isEqualTo(1);
    assertThat(cluster.stats().toJson().getLong("refusalEjections")).isEqualTo(1L);
    assertThat(picksEver(cluster, A)).isFalse();
    clock.advanceNanos(BASE.toNanos());
    assertThat(picksEver(cluster, A)).as("back after the base ejection time").isTrue();
  }

  @Test
  void aRefusalEjectionStillRespectsTheEjectedCap() throws Exception {
    UpstreamCluster cluster = cluster(25);
    Leases.on(cluster, A).connectFailed(refusal());
    Leases.on(cluster, B).connectFailed(refusal());
    assertThat(cluster.stats().endpoint(B.address()).ejected()).as("one of four may be out").isFalse();
    assertThat(cluster.stats().ejectionsOverflow()).isEqualTo(1);
  }

  /** What a real connect to a closed loopback port fails with. */
  private static Throwable refusal() throws Exception {
    int port;
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = server.getLocalPort();
    }
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      throw new AssertionError("nothing should listen on " + port);
    } catch (java.net.ConnectException e) {
      return e;
    }
  }

  @Test
  void aSuccessEndsTheStreak() {
    UpstreamCluster cluster = cluster(50);
    Leases.failConnects(cluster, A, 2);
    Leases.on(cluster, A).connected();
    Leases.failConnects(cluster, A, 2);
    assertThat(cluster.stats().endpoint(A.address()).ejected()).isFalse();
    assertThat(cluster.stats().endpoint(A.address()).connectFailures()).isEqualTo(4);
  }

  @Test
  void repeatedEjectionsLastLongerUpToTheCapThenDecay() {
    UpstreamCluster cluster = cluster(50);
    Leases.failConnects(cluster, A, 3);
    clock.advance(BASE);                    // 1st: 10 s
    Leases.failConnects(cluster, A, 3);
    clock.advance(Duration.ofSeconds(19));  // 2nd: 20 s
    assertThat(picksEver(cluster, A)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    Leases.failConnects(cluster, A, 3);     // 3rd: 30 s capped at 25 s
    clock.advance(Duration.ofSeconds(24));
    assertThat(picksEver(cluster, A)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(picksEver(cluster, A)).isTrue();

    // two base periods back in rotation take the multiplier from 3 to 1: the next ejection is 2 × base
    clock.advance(BASE.multipliedBy(2));
    Leases.failConnects(cluster, A, 3);
    clock.advance(Duration.ofSeconds(19));
    assertThat(picksEver(cluster, A)).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(picksEver(cluster, A)).isTrue();
    assertThat(cluster.stats().endpoint(A.address()).ejections()).isEqualTo(4);
  }

  @Test
  void neverEjectsMoreThanMaxEjectedPercent() {
    UpstreamCluster cluster = cluster(50);
    Leases.failConnects(cluster, A, 3);
    Leases.failConnects(cluster, B, 3);
    Leases.failConnects(cluster, C, 3);

    ClusterStats stats = cluster.stats();
    assertThat(stats.endpoints()).filteredOn(EndpointStats::ejected).hasSize(2);
    assertThat(stats.ejections()).isEqualTo(2);
    assertThat(stats.ejectionsOverflow()).isEqualTo(1);
    assertThat(stats.endpoint(C.address()).ejected()).isFalse();

    // once one returns, the next failure of C may take its place
    clock.advance(BASE);
    Leases.failConnects(cluster, C, 1);
    assertThat(cluster.stats().endpoint(C.address()).ejected()).isTrue();
  }

  @Test
  void aSmallPercentStillEjectsOneEndpoint() {
    UpstreamCluster cluster = cluster(10);
    Leases.failConnects(cluster, A, 3);
    Leases.failConnects(cluster, B, 3);
    assertThat(cluster.stats().endpoints()).filteredOn(EndpointStats::ejected).extracting(EndpointStats::address)
        .containsExactly(A.address());
  }

  @Test
  void withoutOutlierDetectionNothingIsEjected() {
    UpstreamCluster cluster = UpstreamCluster.builder(
        ClusterConfig.of("api", List.of(A, B)).withOutlierDetection(null)).clock(clock).build();
    Leases.failConnects(cluster, A, 50);
    assertThat(cluster.stats().endpoint(A.address()).ejected()).isFalse();
    assertThat(cluster.stats().connectFailures()).isEqualTo(50);
  }
}
