package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code http.listeners[].maxConnections}: at the cap the listener stops accepting and a new client waits in the
 * kernel's accept queue, unanswered but not refused, until a connection closes or a reload raises the cap; then it
 * is served. On io_uring (multishot accept, which must be cancelled) and epoll.
 */
class MaxConnectionsTest {

  private static final int CAP = 3;
  private static final List<RouteConfig> ROUTES =
      List.of(new RouteConfig("ok", RouteMatch.ANY, new DirectResponseAction(200, "ok", null)));

  private RouterFixture fixture;
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private HttpListenerConfig listener(int port, int maxConnections) {
    return new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST, port, true, 8192, 1024,
        Duration.ofSeconds(10), Duration.ofSeconds(60), 100, maxConnections, null);
  }

  private void start(String transport, int maxConnections) throws Exception {
    fixture = transport.equals("epoll") ? RouterFixture.epoll() : RouterFixture.ioUring();
    // A replaced listener's idle connections close only after a long spread: a reload frees no slot by itself.
    fixture.admin = new AdminConfig(RouterFixture.HOST, 9901, null, Duration.ofSeconds(30), Duration.ofSeconds(30));
    fixture.start(2, listener(Ports.freeTcpPort(), maxConnections), List.of(), ROUTES);
  }

  /** Fills the cap with keep-alive connections, each served once, and sends a request on one more. */
  private Socket fillTheCapAndQueueOneMore() throws Exception {
    for (int i = 0; i < CAP; i++) {
      assertThat(request(open())).startsWith("HTTP/1.1 200");
    }
    Socket waiting = open();
    send(waiting);
    waiting.setSoTimeout(700);
    assertThatThrownBy(() -> readResponse(waiting.getInputStream()))
        .as("a connection over the cap is not accepted, so not answered")
        .isInstanceOf(SocketTimeoutException.class);
    JsonObject stats = listenerStats();
    assertThat(stats.getInteger("maxConnections")).isEqualTo(CAP);
    assertThat(stats.getLong("acceptPauses")).isEqualTo(1);
    assertThat(stats.getBoolean("acceptPaused")).isTrue();
    return waiting;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"io_uring", "epoll"})
  void overTheCapAClientWaitsUntilAConnectionCloses(String transport) throws Exception {
    start(transport, CAP);
    Socket waiting = fillTheCapAndQueueOneMore();

    sockets.getFirst().close();
    waiting.setSoTimeout(5000);
    assertThat(readResponse(waiting.getInputStream())).startsWith("HTTP/1.1 200");
    // The waiting client took the freed slot: at the cap again.
    assertThat(listenerStats().getLong("acceptPauses")).isEqualTo(2);
    sockets.get(1).close();
    assertThat(request(open())).startsWith("HTTP/1.1 200");
  }

  @Test
  void aReloadThatRaisesTheCapLetsTheWaitingClientIn() throws Exception {
    start("io_uring", CAP);
    Socket waiting = fillTheCapAndQueueOneMore();

    fixture.publish(listener(fixture.port, 10), List.of(), ROUTES);
    waiting.setSoTimeout(5000);
    assertThat(readResponse(waiting.getInputStream())).startsWith("HTTP/1.1 200");
    // Each instance applies the published config on its own loop: the one holding the listening socket may serve
    // the waiting client before the other has applied it.
    Eventually.await("both instances report the raised cap", Duration.ofSeconds(5), () -> {
      try {
        return listenerStats().getLong("maxConnections") == 10;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void autoIsWhatTheOpenFileLimitAllows() throws Exception {
    start("io_uring", HttpListenerConfig.AUTO_MAX_CONNECTIONS);
    assertThat(request(open())).startsWith("HTTP/1.1 200");
    long openFileLimit = ((com.sun.management.UnixOperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
    // Half of what the descriptors open when the listener started left.
    assertThat(listenerStats().getLong("maxConnections")).isBetween(100L, openFileLimit / 2);
    assertThat(listenerStats().getLong("acceptPauses")).isZero();
  }

  private Socket open() throws Exception {
    Socket socket = new Socket(RouterFixture.HOST, fixture.port);
    sockets.add(socket);
    socket.setSoTimeout(5000);
    return socket;
  }

  private static String request(Socket socket) throws Exception {
    send(socket);
    return readResponse(socket.getInputStream());
  }

  private static void send(Socket socket) throws Exception {
    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** Reads one response head and its 2-byte body ("ok"), leaving the connection open. */
  private static String readResponse(InputStream in) throws Exception {
    return RawHttp.readUntil(in, "\r\n\r\nok");
  }

  /**
   * The listener's counters over both instances: a pause counts on the instance whose loop holds the listening
   * socket; the cap is the lower of the two. The stats address answers one instance per request, in turn.
   */
  private JsonObject listenerStats() throws Exception {
    java.util.Map<String, JsonObject> byInstance = new java.util.HashMap<>();
    for (int i = 0; i < 20 && byInstance.size() < 2; i++) {
      JsonObject stats = fixture.stats();
      byInstance.put(stats.getString("instance"), stats.getJsonArray("listeners").getJsonObject(0));
    }
    assertThat(byInstance).hasSize(2);
    long pauses = 0;
    boolean paused = false;
    long maxConnections = Long.MAX_VALUE;
    for (JsonObject one : byInstance.values()) {
      pauses += one.getLong("acceptPauses");
      paused |= one.getBoolean("acceptPaused");
      maxConnections = Math.min(maxConnections, one.getLong("maxConnections"));
    }
    return byInstance.values().iterator().next().copy().put("acceptPauses", pauses).put("acceptPaused", paused)
        .put("maxConnections", maxConnections);
  }
}
