package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.Addresses;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.message.DrainOrder;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Config changes on {@code ringway.config.applied} and drain: listeners come and go, connections stay. */
class ConfigReloadTest {

  private Backend first;
  private Backend second;
  private ProxyFixture proxy;
  private int portA;
  private int portB;
  private ClusterConfig cluster;
  private TcpListenerConfig listenerA;

  @BeforeEach
  void start() throws Exception {
    first = Backend.start(Backend::echo);
    second = Backend.start(Backend::echo);
    portA = Ports.freeTcpPort();
    portB = Ports.freeTcpPort();
    cluster = ProxyFixture.cluster("echo", first);
    listenerA = ProxyFixture.listener("a", portA, "echo");
    proxy = ProxyFixture.on("io_uring", 2).deploy(config(List.of(cluster), List.of(listenerA)), 2);
  }

  @AfterEach
  void close() throws Exception {
    proxy.close();
    first.close();
    second.close();
  }

  @Test
  void removingAListenerStopsAcceptingButItsConnectionsCarryOn() throws Exception {
    try (Socket established = Clients.connect(portA)) {
      assertThat(Clients.roundTrip(established, "one")).isEqualTo("one");

      // Listener a goes, b comes, and the cluster moves to another endpoint: all in one change.
      proxy.reload(config(List.of(cluster.withEndpoints(ProxyFixture.cluster("x", second).endpoints())),
          List.of(ProxyFixture.listener("b", portB, "echo"))));

      assertRefused(portA);
      try (Socket fresh = Clients.connect(portB)) {
        assertThat(Clients.roundTrip(fresh, "two")).isEqualTo("two");
      }
      assertThat(second.carried.get()).as("new connections follow the changed cluster").isEqualTo(1);
      assertThat(Clients.roundTrip(established, "still there")).isEqualTo("still there");
      established.shutdownOutput();
      assertThat(established.getInputStream().read()).as("the established connection ends cleanly").isEqualTo(-1);
    }
    assertThat(first.carried.get()).isEqualTo(1);
    assertThat(proxy.stats().stream().map(s -> s.getJsonArray("listeners").size())).containsOnly(1);
  }

  @Test
  void movingAListenerRebindsItAndKeepsItsConnectionsAndCounters() throws Exception {
    try (Socket established = Clients.connect(portA)) {
      assertThat(Clients.roundTrip(established, "one")).isEqualTo("one");

      proxy.reload(config(List.of(cluster), List.of(ProxyFixture.movedTo(listenerA, portB))));

      assertRefused(portA);
      try (Socket moved = Clients.connect(portB)) {
        assertThat(Clients.roundTrip(moved, "two")).isEqualTo("two");
      }
      assertThat(Clients.roundTrip(established, "kept")).isEqualTo("kept");
    }
    JsonObject stats = proxy.listener("a");
    // bytes, not connections: the refusal probes may have been accepted before the old socket closed
    assertThat(stats.getLong("bytesIn")).as("counters survive the rebind").isEqualTo("one".length() + "two".length()
        + "kept".length());
  }

  @Test
  void aChangeOfLimitsAppliesWithoutRebinding() throws Exception {
    try (Socket established = Clients.connect(portA)) {
      assertThat(Clients.roundTrip(established, "one")).isEqualTo("one");
      proxy.reload(config(List.of(cluster),
          List.of(ProxyFixture.withLimits(listenerA, Duration.ZERO, 1, 0))));
      try (Socket over = Clients.connect(portA)) {
        assertThat(Clients.closedByPeer(over)).as("the new limit counts the established connection").isTrue();
      }
      assertThat(Clients.roundTrip(established, "kept")).isEqualTo("kept");
    }
    assertThat(proxy.listener("a").getLong("limitHits")).isEqualTo(1);
  }

  @Test
  void drainStopsAcceptingAndLeavesConnectionsAlone() throws Exception {
    try (Socket established = Clients.connect(portA)) {
      assertThat(Clients.roundTrip(established, "one")).isEqualTo("one");
      proxy.vertx.eventBus().publish(Addresses.DRAIN, new DrainOrder(Instant.now().plusSeconds(30)));
      Eventually.await(Duration.ofSeconds(5), "every instance draining",
          () -> proxy.stats().stream().allMatch(s -> s.getBoolean("draining")));

      assertRefused(portA);
      assertThat(Clients.roundTrip(established, "kept")).isEqualTo("kept");
      // A config arriving while draining must not bring listeners back.
      proxy.reload(config(List.of(cluster), List.of(listenerA, ProxyFixture.listener("b", portB, "echo"))));
      assertRefused(portA);
      assertRefused(portB);
    }
  }

  @Test
  void anOlderOrRepeatedSnapshotIsIgnored() {
    proxy.vertx.eventBus().publish(Addresses.CONFIG_APPLIED,
        new io.ringway.spi.ConfigSnapshot(1, config(List.of(cluster), List.of()), "replay"));
    assertThat(proxy.stats()).allSatisfy(s -> assertThat(s.getJsonArray("listeners").size()).isEqualTo(1));
  }

  private static void assertRefused(int port) {
    Eventually.await(Duration.ofSeconds(5), "port " + port + " refuses connections", () -> {
      try (Socket probe = new Socket(Clients.HOST, port)) {
        return false;
      } catch (ConnectException refused) {
        return true;
      } catch (IOException other) {
        return false;
      }
    });
    assertThatThrownBy(() -> new Socket(Clients.HOST, port).close()).isInstanceOf(ConnectException.class);
  }

  private static RingwayConfig config(List<ClusterConfig> clusters, List<TcpListenerConfig> listeners) {
    return ProxyFixture.config(clusters, listeners);
  }
}
