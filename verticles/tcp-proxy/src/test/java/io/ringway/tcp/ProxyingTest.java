package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.ringway.testkit.Ports;
import io.ringway.tcp.impl.Tunables;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data path on every transport: bytes, half-close and reset are transport code in Netty, so
 * each runs on io_uring (the default, with the big transfer) and once on epoll and NIO.
 */
class ProxyingTest {

  private static final long MIB = 1 << 20;

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

  @ParameterizedTest(name = "{0}: {1} connections of {2} MiB")
  @CsvSource({"io_uring, 32, 20", "epoll, 32, 20", "nio, 32, 20"})
  void bytesInEqualBytesOutOnManyHalfClosedConnections(String transport, int connections, int mib) throws Exception {
    Backend echo = closeLater(Backend.start(Backend::echo));
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 2)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("echo", echo)), List.of(ProxyFixture.listener("l4", port, "echo"))), 2);

    List<Future<Clients.Transfer>> transfers = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < connections; i++) {
        long seed = i;
        transfers.add(clients.submit(() -> Clients.stream(port, seed, mib * MIB)));
      }
      for (Future<Clients.Transfer> transfer : transfers) {
        Clients.Transfer seen = transfer.get(60, TimeUnit.SECONDS);
        assertThat(seen.intact()).as("echo of %s", seen).isTrue();
        assertThat(seen.received()).isEqualTo(mib * MIB);
      }
    }

    long total = connections * mib * MIB;
    Eventually.await(Duration.ofSeconds(5), "every connection closed",
        () -> proxy.listener("l4").getLong("active") == 0);
    JsonObject stats = proxy.listener("l4");
    assertThat(stats.getLong("connections")).isEqualTo(connections);
    assertThat(stats.getLong("bytesIn")).isEqualTo(total);
    assertThat(stats.getLong("bytesOut")).isEqualTo(total);
    assertThat(stats.getLong("resets") + stats.getLong("errors")).isZero();
    assertThat(proxy.cluster("echo").getLong("activeConnections")).isZero();
  }

  /**
   * Netty registers a channel with one event loop for its whole life, so both channels sharing one
   * loop when paired, and every callback running on it, means the connection never crosses threads.
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void bothSocketsOfAConnectionLiveOnTheLoopThatAcceptedIt(String transport) throws Exception {
    Backend echo = closeLater(Backend.start(Backend::echo));
    int port = Ports.freeTcpPort();
    Map<Integer, EventLoop> pairedOn = new ConcurrentHashMap<>();
    Set<String> violations = ConcurrentHashMap.newKeySet();
    Set<Integer> closedOnTheirLoop = ConcurrentHashMap.newKeySet();
    Tunables.ConnectionObserver observer = new Tunables.ConnectionObserver() {
      @Override
      public void paired(io.netty.channel.Channel downstream, io.netty.channel.Channel upstream) {
        if (downstream.eventLoop() != upstream.eventLoop() || !downstream.eventLoop().inEventLoop()) {
          violations.add(downstream + " / " + upstream + " on " + Thread.currentThread().getName());
        }
        pairedOn.put(((java.net.InetSocketAddress) downstream.remoteAddress()).getPort(), downstream.eventLoop());
      }

      @Override
      public void closed(io.netty.channel.Channel downstream, io.netty.channel.Channel upstream) {
        int clientPort = ((java.net.InetSocketAddress) downstream.remoteAddress()).getPort();
        if (downstream.eventLoop().inEventLoop() && pairedOn.get(clientPort) == downstream.eventLoop()
            && upstream.eventLoop() == downstream.eventLoop()) {
          closedOnTheirLoop.add(clientPort);
        }
      }
    };
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 4)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("echo", echo)), List.of(ProxyFixture.listener("l4", port, "echo"))), 4,
        Tunables.defaults().withObserver(observer));

    int connections = 16;
    for (int i = 0; i < connections; i++) {
      assertThat(Clients.stream(port, i, 256 << 10).intact()).isTrue();
    }

    Eventually.await(Duration.ofSeconds(5), "every connection closed", () -> closedOnTheirLoop.size() == connections);
    assertThat(violations).isEmpty();
    assertThat(Set.copyOf(pairedOn.values())).as("loops that served connections").hasSizeGreaterThan(1);
    assertThat(proxy.stats()).hasSize(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void anUpstreamResetResetsTheClientAndIsCounted(String transport) throws Exception {
    Backend resetter = closeLater(Backend.start((socket, backend) -> {
      socket.getInputStream().read();
      socket.setSoLinger(true, 0);
    }));
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("rst", resetter)), List.of(ProxyFixture.listener("l4", port, "rst"))), 1);

    try (Socket client = Clients.connect(port)) {
      client.getOutputStream().write('x');
      assertThatThrownBy(() -> client.getInputStream().read())
          .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }
    Eventually.await(Duration.ofSeconds(5), "reset counted", () -> proxy.listener("l4").getLong("resets") == 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void aClientResetResetsTheUpstream(String transport) throws Exception {
    List<String> upstreamSaw = new java.util.concurrent.CopyOnWriteArrayList<>();
    Backend reader = closeLater(Backend.start((socket, backend) -> {
      try {
        upstreamSaw.add(socket.getInputStream().read() == -1 ? "fin" : "byte");
        upstreamSaw.add(socket.getInputStream().read() == -1 ? "fin" : "byte");
      } catch (SocketException e) {
        upstreamSaw.add(e.getMessage().contains("reset") ? "reset" : e.getMessage());
      }
    }));
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("reader", reader)), List.of(ProxyFixture.listener("l4", port, "reader"))), 1);

    Socket client = Clients.connect(port);
    client.getOutputStream().write('x');
    Eventually.await(Duration.ofSeconds(5), "first byte upstream", () -> upstreamSaw.contains("byte"));
    client.setSoLinger(true, 0);
    client.close();

    Eventually.await(Duration.ofSeconds(5), "upstream reset", () -> upstreamSaw.size() == 2);
    assertThat(upstreamSaw).containsExactly("byte", "reset");
    assertThat(proxy.listener("l4").getLong("resets")).isEqualTo(1);
  }

  /**
   * The ending connection churn makes (an HTTP/1.0-style exchange: the upstream answers and closes, then the
   * client closes): the proxy closes each side once both FINs crossed it, without a reset, error, grace timer
   * or leaked lease, on every transport.
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void churnedConnectionsEachAnswerAndCloseCleanly(String transport) throws Exception {
    byte[] answer = "x".repeat(100).getBytes();
    Backend oneShot = closeLater(Backend.start((socket, backend) -> {
      socket.getInputStream().read(new byte[64]);
      socket.getOutputStream().write(answer);
      socket.close();
    }));
    int port = Ports.freeTcpPort();
    ProxyFixture proxy = closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("one-shot", oneShot)), List.of(ProxyFixture.listener("l4", port, "one-shot"))), 1);

    int connections = 200;
    for (int i = 0; i < connections; i++) {
      try (Socket client = Clients.connect(port)) {
        client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
        assertThat(client.getInputStream().readAllBytes()).as("answer %d", i).isEqualTo(answer);
      }
    }

    Eventually.await(Duration.ofSeconds(5), "every connection closed",
        () -> proxy.listener("l4").getLong("active") == 0);
    JsonObject stats = proxy.listener("l4");
    assertThat(stats.getLong("connections")).isEqualTo(connections);
    assertThat(stats.getLong("bytesOut")).isEqualTo((long) connections * answer.length);
    assertThat(stats.getLong("resets") + stats.getLong("errors")).isZero();
    assertThat(proxy.cluster("one-shot").getLong("activeConnections")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "nio"})
  void anUpstreamFinReachesTheClientWhileItKeepsSending(String transport) throws Exception {
    // The upstream answers and closes its side at once; the client's side stays open.
    java.util.concurrent.CompletableFuture<String> afterFin = new java.util.concurrent.CompletableFuture<>();
    Backend greeter = closeLater(Backend.start((socket, backend) -> {
      socket.getOutputStream().write("bye".getBytes());
      socket.shutdownOutput();
      afterFin.complete(new String(socket.getInputStream().readAllBytes()));
    }));
    int port = Ports.freeTcpPort();
    closeLater(ProxyFixture.on(transport, 1)).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("greeter", greeter)), List.of(ProxyFixture.listener("l4", port, "greeter"))), 1);

    try (Socket client = Clients.connect(port)) {
      assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("bye");
      client.getOutputStream().write("still".getBytes());
      client.shutdownOutput();
    }
    assertThat(afterFin.get(5, TimeUnit.SECONDS)).isEqualTo("still");
  }
}
