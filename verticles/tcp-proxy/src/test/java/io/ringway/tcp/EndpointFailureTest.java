package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Endpoints that die and come back: connections, counters, retries, health checks. */
class EndpointFailureTest {

  private static final HealthCheckConfig FAST_CHECK = new HealthCheckConfig(Duration.ofMillis(100),
      Duration.ofMillis(200), 2, 2, null, null);

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable resource : closing.reversed()) {
      resource.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    closing.add(resource);
    return resource;
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void anEndpointThatDiesMidStreamClosesItsClientsAndIsEjectedThenRestored(String transport) throws Exception {
    Backend doomed = closeLater(Backend.start(Backend::echo));
    Backend healthy = closeLater(Backend.start(Backend::echo));
    int port = Ports.freeTcpPort();
    ClusterConfig cluster = ProxyFixture.cluster("echo", doomed, healthy).withHealthCheck(FAST_CHECK);
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 2)).deploy(ProxyFixture.config(List.of(cluster),
        List.of(ProxyFixture.listener("l4", port, "echo"))), 2);

    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket client = closeLater(Clients.connect(port));
      assertThat(Clients.roundTrip(client, "before " + i)).isEqualTo("before " + i);
      clients.add(client);
    }
    int onDoomed = doomed.carried.get();
    assertThat(onDoomed).as("round robin used both endpoints").isBetween(1, 7);

    doomed.kill();

    int closed = 0;
    for (int i = 0; i < clients.size(); i++) {
      Socket client = clients.get(i);
      client.setSoTimeout(300);
      boolean alive;
      try {
        alive = Clients.roundTrip(client, "after " + i).equals("after " + i);
      } catch (java.io.IOException e) {
        alive = false;
      }
      if (!alive) {
        closed++;
      }
    }
    assertThat(closed).as("clients whose endpoint died").isEqualTo(onDoomed);
    String doomedAddress = "127.0.0.1:" + doomed.port;
    Eventually.await(Duration.ofSeconds(5), "resets counted",
        () -> proxy.listener("l4").getLong("resets") == onDoomed);
    Eventually.await(Duration.ofSeconds(5), "health check ejected " + doomedAddress,
        () -> proxy.everyInstanceSees("echo", doomedAddress, false));

    int healthyBefore = healthy.carried.get();
    for (int i = 0; i < 6; i++) {
      try (Socket client = Clients.connect(port)) {
        assertThat(Clients.roundTrip(client, "new " + i)).isEqualTo("new " + i);
      }
    }
    assertThat(healthy.carried.get() - healthyBefore).as("new connections on the healthy endpoint").isEqualTo(6);
    assertThat(proxy.listener("l4").getLong("connectFailures")).as("no connect even tried on the ejected one").isZero();

    doomed.listen();
    Eventually.await(Duration.ofSeconds(5), "health check restored " + doomedAddress,
        () -> proxy.everyInstanceSees("echo", doomedAddress, true));
    int doomedBefore = doomed.carried.get();
    for (int i = 0; i < 4; i++) {
      try (Socket client = Clients.connect(port)) {
        assertThat(Clients.roundTrip(client, "back " + i)).isEqualTo("back " + i);
      }
    }
    assertThat(doomed.carried.get()).as("the restored endpoint takes connections again").isGreaterThan(doomedBefore);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aFailedConnectIsRetriedOnAnotherEndpoint(String transport) throws Exception {
    Backend live = closeLater(Backend.start(Backend::echo));
    Backend dead = closeLater(Backend.start(Backend::echo));
    dead.kill();
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("mixed", dead, live)),
        List.of(ProxyFixture.withLimits(ProxyFixture.listener("l4", port, "mixed"), Duration.ZERO, 100, 1))), 1);

    for (int i = 0; i < 4; i++) {
      try (Socket client = Clients.connect(port)) {
        assertThat(Clients.roundTrip(client, "retry " + i)).isEqualTo("retry " + i);
      }
    }

    var stats = proxy.listener("l4");
    assertThat(stats.getLong("connectFailures")).as("the first refusal ejected the dead one; no connect tried it again")
        .isEqualTo(1);
    assertThat(stats.getLong("noUpstream")).isZero();
    assertThat(live.accepted.get()).isEqualTo(4);
    assertThat(proxy.cluster("mixed").getLong("connectFailures")).isEqualTo(1);
    assertThat(proxy.cluster("mixed").getLong("refusalEjections")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void newConnectionsDuringAnEndpointsDeathAllReachALiveEndpoint(String transport) throws Exception {
    Backend doomed = closeLater(Backend.start(Backend::echo));
    Backend live = closeLater(Backend.start(Backend::echo));
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 2)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("pair", doomed, live)),
        List.of(ProxyFixture.withLimits(ProxyFixture.listener("l4", port, "pair"), Duration.ZERO, 10_000, 1))), 2);

    // Four clients, each opening a connection per round trip (a bounded count), while one endpoint dies.
    int perClient = 60;
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger lostBefore = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger lostAfter = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      int id = c;
      clients.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < perClient; i++) {
          boolean openedAfterDeath = killed.get();
          try (Socket client = Clients.connect(port)) {
            client.setSoTimeout(2_000);
            if (!Clients.roundTrip(client, id + "/" + i).equals(id + "/" + i)) {
              throw new java.io.IOException("wrong echo");
            }
          } catch (java.io.IOException e) {
            (openedAfterDeath ? lostAfter : lostBefore).incrementAndGet();
          }
          done.incrementAndGet();
        }
      }));
    }
    long start = System.nanoTime();
    Eventually.await(Duration.ofSeconds(20), "load under way", () -> done.get() >= 60);
    long beforeKill = System.nanoTime();
    doomed.kill();
    killed.set(true);
    for (Thread client : clients) {
      client.join(30_000);
    }
    assertThat(done.get()).isEqualTo(4 * perClient);
    JsonObject cluster = proxy.cluster("pair");
    System.out.printf("tcp endpoint death: %d connections lost in flight, %d after; %d ms before the death, %d after;"
        + " cluster %s%n", lostBefore.get(), lostAfter.get(), (beforeKill - start) / 1_000_000,
        (System.nanoTime() - beforeKill) / 1_000_000, cluster.encode());
    assertThat(lostAfter.get()).as("connections opened after the death").isZero();
    assertThat(lostBefore.get()).as("only those in flight on the dead endpoint").isLessThanOrEqualTo(4);
    assertThat(cluster.getLong("refusalEjections")).as("each loop ejects it at its first refusal").isBetween(1L, 2L);
    assertThat(cluster.getLong("connectFailures")).as("no connect after the ejection; four clients, four at most")
        .isBetween(1L, 4L);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void withoutRetriesAFailedConnectClosesTheClientAndIsCounted(String transport) throws Exception {
    Backend dead = closeLater(Backend.start(Backend::echo));
    dead.kill();
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("gone", dead)), List.of(ProxyFixture.listener("l4", port, "gone"))), 1);

    try (Socket client = Clients.connect(port)) {
      assertThat(Clients.closedByPeer(client)).isTrue();
    }
    Eventually.await(Duration.ofSeconds(5), "refusal counted", () -> proxy.listener("l4").getLong("noUpstream") == 1);
    assertThat(proxy.listener("l4").getLong("connectFailures")).isEqualTo(1);
  }
}
