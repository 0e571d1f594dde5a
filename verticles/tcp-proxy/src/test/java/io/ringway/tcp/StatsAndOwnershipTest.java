package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stats contract, the health-check election, Vert.x's listening socket, and the provider. */
class StatsAndOwnershipTest {

  private static final int INSTANCES = 3;

  private Backend echo;
  private ProxyFixture proxy;
  private int port;

  @AfterEach
  void close() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  private void start() throws Exception {
    echo = Backend.start(Backend::echo);
    port = Ports.freeTcpPort();
    ClusterConfig checked = ProxyFixture.cluster("checked", echo)
        .withHealthCheck(new HealthCheckConfig(Duration.ofMillis(200), Duration.ofMillis(200), 1, 1, null, null));
    ClusterConfig unchecked = ProxyFixture.cluster("unchecked", echo);
    proxy = ProxyFixture.on("io_uring", INSTANCES).deploy(ProxyFixture.config(List.of(checked, unchecked),
        List.of(ProxyFixture.listener("l4", port, "checked"))), INSTANCES);
  }

  @Test
  void everyInstanceAnswersAPublishedCollectAtTheReplyAddress() throws Exception {
    start();
    List<JsonObject> replies = proxy.stats();

    assertThat(replies).hasSize(INSTANCES);
    assertThat(replies.stream().map(r -> r.getString("instance")).distinct()).hasSize(INSTANCES);
    assertThat(replies.stream().map(r -> r.getString("thread")).distinct()).hasSize(INSTANCES);
    assertThat(replies).allSatisfy(reply -> {
      assertThat(reply.getString("verticle")).isEqualTo("tcp-proxy");
      assertThat(reply.getInteger("instances")).isEqualTo(INSTANCES);
      JsonObject listener = reply.getJsonArray("listeners").getJsonObject(0);
      assertThat(listener.fieldNames()).contains("listener", "host", "port", "cluster", "active", "connections", "bytesIn",
          "bytesOut", "limitHits", "proxyProtocolRejects", "untrustedSources", "idleTimeouts", "connectFailures",
          "noUpstream", "resets", "errors");
      assertThat(reply.getJsonArray("clusters").size()).isEqualTo(2);
    });
  }

  @Test
  void aPlainRequestGetsOneInstancesCounters() throws Exception {
    start();
    InstanceStats one = proxy.vertx.eventBus().<InstanceStats>request(Addresses.STATS_COLLECT, null)
        .await(5, TimeUnit.SECONDS).body();
    assertThat(one.verticle()).isEqualTo("tcp-proxy");
  }

  @Test
  void exactlyOneInstanceRunsEachHealthCheck() throws Exception {
    start();
    Eventually.await(Duration.ofSeconds(5), "a probe reached the endpoint", () -> echo.accepted.get() > 0);
    List<JsonObject> replies = proxy.stats();
    assertThat(owners(replies, "checked")).as("instances running the checked cluster's checker").isEqualTo(1);
    assertThat(owners(replies, "unchecked")).isZero();

    // The check goes away, then comes back: still exactly one owner.
    proxy.reload(ProxyFixture.config(List.of(ProxyFixture.cluster("checked", echo)), List.of()));
    assertThat(owners(proxy.stats(), "checked")).isZero();
    proxy.reload(ProxyFixture.config(List.of(ProxyFixture.cluster("checked", echo)
        .withHealthCheck(HealthCheckConfig.defaults())), List.of()));
    assertThat(owners(proxy.stats(), "checked")).isEqualTo(1);
  }

  /**
   * Vert.x 5.0 shares one listening socket among the instances of a process, whatever
   * {@code setReusePort} says: /proc shows a single LISTEN socket on the port.
   */
  @Test
  void theInstancesShareOneListeningSocket() throws Exception {
    start();
    String portSuffix = String.format(":%04X", port);
    long listening = 0;
    // Native transports open IPv6 sockets even for 127.0.0.1 (v4-mapped), so look in both tables.
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      listening += Files.readAllLines(Path.of(table)).stream().skip(1)
          .map(line -> line.trim().split("\\s+"))
          .filter(fields -> fields[1].endsWith(portSuffix) && fields[3].equals("0A"))
          .count();
    }
    assertThat(listening).isEqualTo(1);
  }

  @Test
  void theProviderIsFoundByNameAndRunsOnEveryLoop() {
    VerticleProvider provider = ServiceLoader.load(VerticleProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("tcp-proxy")).findFirst().orElseThrow();
    assertThat(provider.perEventLoop()).isTrue();
    assertThat(provider).isInstanceOf(TcpProxyVerticleProvider.class);
  }

  @Test
  void clusterConfigSendsNoProxyHeaderUnlessAskedAndKeepsItThroughWithers() {
    ClusterConfig plain = ClusterConfig.of("web", List.of());
    assertThat(plain.sendProxyProtocol()).isEqualTo(ProxyProtocolVersion.NONE);
    assertThat(plain.withSendProxyProtocol(ProxyProtocolVersion.V2).withLimits(plain.limits()).sendProxyProtocol())
        .isEqualTo(ProxyProtocolVersion.V2);
  }

  private static long owners(List<JsonObject> replies, String cluster) {
    return replies.stream().map(r -> r.getJsonArray("clusters")).flatMap(JsonArray::stream).map(JsonObject.class::cast)
        .filter(c -> c.getString("cluster").equals(cluster) && c.getBoolean("healthChecker")).count();
  }
}
