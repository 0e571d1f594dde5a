package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Ports;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-listener limits: connections over the maximum and connections idle too long. */
class LimitsTest {

  private Backend echo;
  private ProxyFixture proxy;

  @AfterEach
  void close() throws Exception {
    proxy.close();
    echo.close();
  }

  private int start(Duration idleTimeout, int maxConnections) throws Exception {
    echo = Backend.start(Backend::echo);
    int port = Ports.freeTcpPort();
    // Two instances: the limit is per listener on the node, not per loop.
    proxy = ProxyFixture.on("io_uring", 2).deploy(ProxyFixture.config(List.of(ProxyFixture.cluster("echo", echo)),
        List.of(ProxyFixture.withLimits(ProxyFixture.listener("l4", port, "echo"), idleTimeout, maxConnections, 0))), 2);
    return port;
  }

  @Test
  void connectionsOverTheLimitAreClosedAtOnceAndCounted() throws Exception {
    int port = start(Duration.ZERO, 3);
    try (Socket a = Clients.connect(port); Socket b = Clients.connect(port); Socket c = Clients.connect(port)) {
      for (Socket open : List.of(a, b, c)) {
        assertThat(Clients.roundTrip(open, "in")).isEqualTo("in");
      }
      try (Socket over = Clients.connect(port)) {
        assertThat(Clients.closedByPeer(over)).isTrue();
      }
      assertThat(proxy.listener("l4").getLong("limitHits")).isEqualTo(1);
      assertThat(proxy.listener("l4").getLong("active")).isEqualTo(3);
      assertThat(Clients.roundTrip(a, "still")).isEqualTo("still");
    }
    Eventually.await(Duration.ofSeconds(5), "room again", () -> proxy.listener("l4").getLong("active") == 0);
    try (Socket again = Clients.connect(port)) {
      assertThat(Clients.roundTrip(again, "again")).isEqualTo("again");
    }
  }

  @Test
  void anIdleConnectionIsClosedAndABusyOneIsNot() throws Exception {
    int port = start(Duration.ofMillis(300), 100);
    try (Socket idle = Clients.connect(port); Socket busy = Clients.connect(port)) {
      assertThat(Clients.roundTrip(idle, "hello")).isEqualTo("hello");
      long started = System.nanoTime();
      // Traffic every 100 ms for a second keeps the busy one open past three idle windows.
      for (int i = 0; i < 10; i++) {
        assertThat(Clients.roundTrip(busy, "tick " + i)).isEqualTo("tick " + i);
        Thread.sleep(100);
      }
      idle.setSoTimeout(2_000);
      assertThat(Clients.closedByPeer(idle)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(Clients.roundTrip(busy, "alive")).isEqualTo("alive");
    }
    Eventually.await(Duration.ofSeconds(5), "idle timeout counted",
        () -> proxy.listener("l4").getLong("idleTimeouts") >= 1);
    assertThat(proxy.listener("l4").getLong("idleTimeouts")).isEqualTo(1);
  }
}
