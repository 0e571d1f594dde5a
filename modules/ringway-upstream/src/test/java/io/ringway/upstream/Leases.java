package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.Endpoint;
import java.util.List;

/** Steering picks at one endpoint through the retry mechanism: every other endpoint counts as tried. */
final class Leases {

  private Leases() {
  }

  static EndpointLease on(UpstreamCluster cluster, Endpoint target) {
    List<Endpoint> others = cluster.endpoints().stream().filter(e -> !e.sameAddress(target)).toList();
    PickResult result = cluster.pick(null, others);
    assertThat(result).isInstanceOf(EndpointLease.class);
    EndpointLease lease = (EndpointLease) result;
    assertThat(lease.endpoint().address()).isEqualTo(target.address());
    return lease;
  }

  static EndpointLease any(UpstreamCluster cluster) {
    PickResult result = cluster.pick();
    assertThat(result).isInstanceOf(EndpointLease.class);
    return (EndpointLease) result;
  }

  static void failConnects(UpstreamCluster cluster, Endpoint target, int times) {
    for (int i = 0; i < times; i++) {
      on(cluster, target).connectFailed();
    }
  }
}
