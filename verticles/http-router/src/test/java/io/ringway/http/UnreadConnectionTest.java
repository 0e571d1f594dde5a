package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.testkit.Ports;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connections that have sent nothing yet are bare channels with one shared timer per listener and loop
 * ({@code UnreadConnections}); the listener's timeouts must hold for them exactly as for a Vert.x connection:
 * the head timeout runs from accept (not from the first byte) and answers 408, the idle timeout closes quietly
 * when there is no head timeout, a late first request is served, and a drain still answers it with
 * {@code connection: close}. On h2c and plain HTTP/1.1 listeners, whose Vert.x pipelines differ.
 */
class UnreadConnectionTest {

  private static final Duration HEAD = Duration.ofMillis(1000);

  private RouterFixture fixture;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private void start(boolean h2c, Duration head, Duration idle) throws Exception {
    fixture = newFixture();
    // A drain closes a connection that has no request open after a delay drawn from the close spread: a wide
    // spread makes the late request below arrive first in all but ~1 % of runs (the other case is checked too).
    fixture.admin = new AdminConfig(RouterFixture.HOST, 9901, null, Duration.ofSeconds(10), Duration.ofSeconds(10));
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), h2c, 8192, 1024, head, idle, 100, HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(), List.of(new RouteConfig("ok", RouteMatch.ANY,
        new DirectResponseAction(200, "ok", null))));
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void aSilentConnectionGets408AtTheHeadTimeout(boolean h2c) throws Exception {
    start(h2c, HEAD, Duration.ofSeconds(30));
    try (Socket socket = connect(1)) {
      long start = System.nanoTime();
      assertThat(unread()).isEqualTo(1);
      String response = RawHttp.readUntilClose(socket.getInputStream());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(response).startsWith("HTTP/1.1 408");
      assertThat(millis).isBetween(HEAD.toMillis() - 50, HEAD.toMillis() + 1500);
    }
    assertThat(fixture.listenerStats().getLong("headerTimeouts")).isEqualTo(1);
    assertThat(unread()).isZero();
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void theHeadIsTimedFromAcceptNotFromTheFirstByte(boolean h2c) throws Exception {
    start(h2c, HEAD, Duration.ofSeconds(30));
    try (Socket socket = connect(1)) {
      long start = System.nanoTime();
      Thread.sleep(HEAD.toMillis() * 7 / 10);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = RawHttp.readUntilClose(socket.getInputStream());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(response).startsWith("HTTP/1.1 408");
      // From the first byte it would be 1.7 head timeouts.
      assertThat(millis).isBetween(HEAD.toMillis() - 50, HEAD.toMillis() * 3 / 2);
    }
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void withoutAHeadTimeoutTheIdleTimeoutClosesQuietly(boolean h2c) throws Exception {
    start(h2c, Duration.ZERO, Duration.ofSeconds(1));
    try (Socket socket = connect(1)) {
      long start = System.nanoTime();
      String response = RawHttp.readUntilClose(socket.getInputStream());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(response).isEmpty();
      assertThat(millis).isBetween(950L, 3000L);
    }
    assertThat(fixture.listenerStats().getLong("headerTimeouts")).isZero();
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void aLateFirstRequestIsServedAndADrainAnswersItWithConnectionClose(boolean h2c) throws Exception {
    start(h2c, Duration.ofSeconds(5), Duration.ofSeconds(30));
    try (Socket early = connect(1); Socket draining = connect(2)) {
      Thread.sleep(300);
      early.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readHead(early.getInputStream())).startsWith("HTTP/1.1 200");
      assertThat(unread()).isEqualTo(1);

      fixture.drain();
      Thread.sleep(100);
      draining.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = RawHttp.readUntilClose(draining.getInputStream());
      if (response.isEmpty()) {
        // The drawn delay was shorter than the request took to come: the idle rule closed it first, and counted it.
        // Seen with a 1 ms spread. The early connection, idle after its response, has a delay of its own drawn from
        // the same spread, so it may or may not be closed and counted by now.
        assertThat(fixture.listenerStats().getLong("drainIdleClosed")).isBetween(1L, 2L);
      } else {
        assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      }
    }
  }

  /** A connection the router has accepted: {@code unread} connections are waiting then, this one included. */
  private Socket connect(int unread) throws Exception {
    Socket socket = new Socket(RouterFixture.HOST, fixture.port);
    socket.setSoTimeout(5000);
    // The router's accept runs on its loop, maybe after our connect returned.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (unread() < unread && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return socket;
  }

  /** Reads one response head and its 2-byte body ("ok"), leaving the connection open. */
  private static String readHead(InputStream in) throws Exception {
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith("\r\n\r\nok")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      text.append((char) b);
    }
    return text.toString();
  }

  private long unread() throws Exception {
    return fixture.listenerStats().getLong("unreadConnections");
  }
}
