package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.ClusterAnnouncement;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code cluster:}: defaults for a local run, every setting read, every mistake named by its path. */
class ClusterSectionTest {

  @Test
  void withoutASectionClusteringIsOffWithLocalDefaults() {
    ClusteringConfig cluster = parse("admin: {port: 9901}\n").config().cluster();

    assertThat(cluster).isEqualTo(ClusteringConfig.DISABLED);
    assertThat(cluster.discovery()).isEqualTo(new ClusterDiscovery.TcpIp(List.of("127.0.0.1:5701-5703")));
  }

  @Test
  void readsEverySetting() {
    ClusteringConfig cluster = parse("""
        clusters: [{name: edge}]
        http: {listeners: [{name: web, port: 8080}]}
        cluster:
          enabled: true
          name: fleet
          secret: s3cret
          port: 6701
          portAutoIncrement: false
          interface: 10.0.*.*
          joinTimeout: 5s
          failureTimeout: 4s
          minMembers: 2
          discovery:
            kubernetes: {serviceDns: ringway-hz, namespace: prod}
          announce:
            - {cluster: edge, listener: web}
        """).config().cluster();

    assertThat(cluster).isEqualTo(new ClusteringConfig(true, "fleet", "s3cret", 6701, false, "10.0.*.*",
        Duration.ofSeconds(5), Duration.ofSeconds(4), 2, new ClusterDiscovery.Kubernetes("ringway-hz", "prod"),
        List.of(new ClusterAnnouncement("edge", "web", null))));
  }

  @Test
  void anOverrideTurnsClusteringOnAndSetsTheMembers() {
    ConfigResult result = TestCatalogs.loader(Map.of("RINGWAY_CLUSTER__ENABLED", "true"),
        Map.of("ringway.cluster.discovery.tcpIp.members", "10.0.0.1:5701,10.0.0.2")).parse(document("admin: {port: 9901}\n"));

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().cluster().enabled()).isTrue();
    assertThat(result.config().cluster().discovery()).isEqualTo(new ClusterDiscovery.TcpIp(List.of("10.0.0.1:5701", "10.0.0.2")));
  }

  @Test
  void namesEveryMistake() {
    List<String> errors = parse("""
        clusters: [{name: edge}]
        cluster:
          name: "bad name"
          failureTimeout: 1s
          discovery:
            tcpIp: {members: ["10.0.0.1:notaport"]}
            multicast: {group: 224.2.2.3}
          announce:
            - {cluster: nope, listener: web}
        """).errors().stream().map(ConfigError::toString).toList();

    assertThat(errors).containsExactly(
        "cluster.name: expected 1 to 64 letters, digits, '.', '_' or '-', got \"bad name\"",
        "cluster.failureTimeout: expected a duration from 2s to 10m such as 250ms, 5s, 2m or 1h, got \"1s\"",
        "cluster.discovery.multicast: give one discovery method, got tcpIp, multicast",
        "cluster.discovery.tcpIp.members[0]: expected host, host:port or host:port-port, got \"10.0.0.1:notaport\"",
        "cluster.announce[0].cluster: unknown cluster \"nope\" (known: edge)",
        "cluster.announce[0].listener: unknown listener \"web\" (known: )");
  }

  @Test
  void aClusterChangeInAReloadWaitsForARestart() {
    ConfigResult running = parse("cluster: {name: one}\n");
    ConfigResult next = parse("cluster: {name: two}\nadmin: {port: 9902}\n");

    io.ringway.config.impl.ReloadPlan plan = io.ringway.config.impl.ReloadPlan.of(running.config(), next.config());

    assertThat(plan.deferred()).containsExactly("cluster");
    assertThat(plan.next().cluster().name()).isEqualTo("one");
    assertThat(plan.changed()).containsExactly("admin");
  }

  private static ConfigResult parse(String yaml) {
    return TestCatalogs.loader().parse(document(yaml));
  }

  private static io.vertx.core.json.JsonObject document(String yaml) {
    List<ConfigError> errors = new ArrayList<>();
    io.vertx.core.json.JsonObject document = ConfigLoader.parseDocument(yaml, errors);
    assertThat(errors).isEmpty();
    return document;
  }
}
