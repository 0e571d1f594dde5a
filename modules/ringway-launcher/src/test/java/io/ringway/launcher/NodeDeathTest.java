package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ringway.cluster.RingwayCluster;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.http.HttpRouterVerticle;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.RegisterEndpoint;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.GetLoad;
import io.ringway.testkit.MortalHttpServer;
import io.ringway.testkit.Ports;
import io.ringway.transport.uring.IoUringTransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes in this JVM (a Hazelcast member and a Vert.x each), each registering an endpoint it serves
 * into one cluster; node 1 routes GETs to both. Node 2 dies under that load (its backend reset, its member
 * terminated): every GET through node 1 is still answered 2xx, and node 2's endpoint is withdrawn from node 1.
 */
class NodeDeathTest {

  private static final ConfigLoader LOADER = new ConfigLoader(PluginCatalog.load(), Map.of(), Map.of());

  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<RingwayCluster> members = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable resource : closing.reversed()) {
      resource.close();
    }
    for (Vertx vertx : vertxes) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
    Hazelcast.getAllHazelcastInstances().forEach(instance -> instance.getLifecycleService().terminate());
  }

  @Test
  void noGetThroughASurvivorIsLostWhenTheNodeOwningAnEndpointDies() throws Exception {
    List<Integer> memberPorts = List.of(Ports.freeTcpPort(), Ports.freeTcpPort());
    int web = Ports.freeTcpPort();
    ConfigSnapshot snapshot = snapshot("""
        clusters:
          - name: api
        http:
          listeners: [{name: web, host: 127.0.0.1, port: %d}]
          routes:
            - {name: api, target: api}
        """.formatted(web));
    RingwayCluster one = join(memberPorts, 0);
    RingwayCluster two = join(memberPorts, 1);
    Vertx nodeOne = vertx();
    Vertx nodeTwo = vertx();
    nodeOne.deployVerticle(new HttpRouterVerticle(snapshot)).await(20, TimeUnit.SECONDS);
    one.deploy(nodeOne, LOADER, snapshot).await(20, TimeUnit.SECONDS);
    two.deploy(nodeTwo, LOADER, snapshot).await(20, TimeUnit.SECONDS);
    MortalHttpServer servedByOne = closeLater(new MortalHttpServer(nodeOne, "one", 2));
    MortalHttpServer servedByTwo = closeLater(new MortalHttpServer(nodeTwo, "two", 2));
    register(nodeOne, servedByOne);
    register(nodeTwo, servedByTwo);
    String doomed = "127.0.0.1:" + servedByTwo.port();
    await("both endpoints reach node 1's router", () -> endpoints(nodeOne).size() == 2);

    long start = System.nanoTime();
    try (GetLoad load = new GetLoad(nodeOne, web, "/", 32, 200_000)) {
      assertThat(load.awaitAnswered(1_500, Duration.ofSeconds(20))).as("load under way").isTrue();
      // What SIGKILL does to node 2: its backend's sockets reset and its member gone without a goodbye.
      servedByTwo.kill();
      long killed = System.nanoTime();
      member(memberPorts.get(1)).getLifecycleService().terminate();
      await("node 2's endpoint withdrawn from node 1", () -> !endpoints(nodeOne).contains(doomed));
      long withdrawn = System.nanoTime();
      int answered = load.answered();
      assertThat(load.awaitAnswered(answered + 1_000, Duration.ofSeconds(20))).as("load after the withdrawal").isTrue();
      load.stop();
      assertThat(load.await(Duration.ofSeconds(20))).isTrue();
      JsonObject route = routerStats(nodeOne).getJsonArray("routes").getJsonObject(0);
      JsonObject cluster = routerStats(nodeOne).getJsonArray("clusters").getJsonObject(0).copy();
      cluster.remove("endpoints");
      cluster.remove("httpResponses");
      System.out.printf("node death: withdrawn after %d ms; %s in %d ms; retries %d (failover %d), budget refusals %d;"
              + " cluster %s%n", (withdrawn - killed) / 1_000_000, load.describe(), (System.nanoTime() - start) / 1_000_000,
          route.getLong("retries"), route.getLong("failoverRetries"), route.getLong("retryBudgetExhausted"),
          cluster.encode());
      assertThat(load.lost()).as(load.describe()).isZero();
      assertThat(route.getLong("retries")).as("requests in flight on node 2's endpoint were retried").isPositive();
      assertThat(route.getLong("retryBudgetExhausted")).isZero();
      assertThat(cluster.getLong("refusalEjections")).as("at most its first refused connect ejects it").isLessThanOrEqualTo(1L);
    }
  }

  private RingwayCluster join(List<Integer> ports, int index) {
    ClusteringConfig config = new ClusteringConfig(true, "death", "secret", ports.get(index), false, "127.0.0.1",
        Duration.ofSeconds(60), Duration.ofSeconds(3), 1,
        new ClusterDiscovery.TcpIp(ports.stream().map(port -> "127.0.0.1:" + port).toList()), List.of());
    RingwayCluster member = RingwayCluster.join(config);
    members.add(member);
    return member;
  }

  private static HazelcastInstance member(int port) {
    return Hazelcast.getAllHazelcastInstances().stream()
        .filter(instance -> instance.getCluster().getLocalMember().getAddress().getPort() == port)
        .findFirst().orElseThrow();
  }

  private Vertx vertx() {
    Vertx vertx = Vertx.builder().withTransport(new IoUringTransportPlugin().create(new JsonObject())).build();
    vertxes.add(vertx);
    return vertx;
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    closing.add(resource);
    return resource;
  }

  private static void register(Vertx node, MortalHttpServer server) throws Exception {
    node.eventBus().request(Addresses.CLUSTER_ENDPOINTS_REGISTER,
        new RegisterEndpoint("api", Endpoint.of("127.0.0.1", server.port()))).await(20, TimeUnit.SECONDS);
  }

  private static JsonObject routerStats(Vertx node) throws Exception {
    return node.eventBus().<InstanceStats>request(Addresses.STATS_COLLECT, null).await(5, TimeUnit.SECONDS).body()
        .toJson();
  }

  /** The addresses of the endpoints node 1's router has in cluster api now. */
  private static List<String> endpoints(Vertx node) {
    try {
      JsonArray endpoints = routerStats(node).getJsonArray("clusters").getJsonObject(0).getJsonArray("endpoints");
      return endpoints.stream().map(JsonObject.class::cast).map(e -> e.getString("address")).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static ConfigSnapshot snapshot(String yaml) {
    List<ConfigError> errors = new ArrayList<>();
    ConfigResult result = LOADER.parse(ConfigLoader.parseDocument(yaml, errors));
    if (!errors.isEmpty() || !result.isValid()) {
      throw new IllegalArgumentException(errors + " " + result.errors());
    }
    return new ConfigSnapshot(1, result.config(), "test");
  }
}
