package io.ringway.cluster.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HazelcastSetupTest {

  @Test
  void theSecretChangesTheClusterNameWithoutAppearingInIt() {
    String open = HazelcastSetup.clusterName("fleet", null);
    String one = HazelcastSetup.clusterName("fleet", "s3cret");
    String other = HazelcastSetup.clusterName("fleet", "other");

    assertThat(open).isEqualTo("fleet");
    assertThat(one).startsWith("fleet-").doesNotContain("s3cret").isNotEqualTo(other).hasSize("fleet-".length() + 16);
    assertThat(HazelcastSetup.clusterName("fleet", "s3cret")).isEqualTo(one);
  }

  @Test
  void portRangesBecomeOneMemberPerPort() {
    assertThat(HazelcastSetup.expand(List.of("127.0.0.1:5701-5703", "10.0.0.9", "10.0.0.8:6000")))
        .containsExactly("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703", "10.0.0.9", "10.0.0.8:6000");
  }

  @Test
  void buildsTheJoinAndFailureDetectionConfigSays() {
    ClusteringConfig cluster = ClusteringConfig.DISABLED.withEnabled(true);
    Config tcp = HazelcastSetup.build(cluster, "node-1");

    JoinConfig join = tcp.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702", "127.0.0.1:5703");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(tcp.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("10");
    assertThat(tcp.getMemberAttributeConfig().getAttribute(HazelcastSetup.VERTX_NODE_ID)).isEqualTo("node-1");

    Config kubernetes = HazelcastSetup.build(with(new ClusterDiscovery.Kubernetes("ringway-hz", "prod")), "node-2");
    assertThat(kubernetes.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled()).isTrue();
    assertThat(kubernetes.getNetworkConfig().getJoin().getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("ringway-hz.prod.svc.cluster.local");
    assertThat(kubernetes.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isFalse();

    Config multicast = HazelcastSetup.build(with(new ClusterDiscovery.Multicast("224.2.2.9", 54400)), "node-3");
    assertThat(multicast.getNetworkConfig().getJoin().getMulticastConfig().getMulticastGroup()).isEqualTo("224.2.2.9");
    assertThat(multicast.getNetworkConfig().getJoin().getMulticastConfig().getMulticastPort()).isEqualTo(54400);
  }

  private static ClusteringConfig with(ClusterDiscovery discovery) {
    ClusteringConfig d = ClusteringConfig.DISABLED;
    return new ClusteringConfig(true, d.name(), d.secret(), d.port(), d.portAutoIncrement(), d.networkInterface(),
        d.joinTimeout(), Duration.ofSeconds(10), d.minMembers(), discovery, List.of());
  }
}
