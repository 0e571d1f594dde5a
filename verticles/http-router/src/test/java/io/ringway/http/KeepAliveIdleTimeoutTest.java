package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.AfterEach;

/**
 * The listener's idle timeout on connections past their first request: an idle keep-alive connection closes once
 * nothing moved for the timeout, traffic in either direction keeps it open, and so does traffic through a tunnelled
 * upgrade. On h2c and plain HTTP/1.1 listeners.
 */
class KeepAliveIdleTimeoutTest {

  private static final Duration IDLE = Duration.ofSeconds(1);
  private static final long IDLE_MILLIS = IDLE.toMillis();

  private RouterFixture fixture;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  private void start(boolean h2c) throws Exception {
    fixture = newFixture();
    HttpServer echo = fixture.vertx.createHttpServer(new HttpServerOptions()
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), h2c, 8192, 1024, Duration.ofSeconds(10), IDLE, 100,
        HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(ClusterConfig.of("ws", List.of(Endpoint.of(RouterFixture.HOST, echo.actualPort())))),
        List.of(new RouteConfig("ws", RouteMatch.path(PathMatch.prefix("/ws")), ForwardAction.to("ws")),
            new RouteConfig("ok", RouteMatch.ANY, new DirectResponseAction(200, "ok", null))));
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void anIdleKeepAliveConnectionClosesAtTheIdleTimeout(boolean h2c) throws Exception {
    start(h2c);
    try (Socket socket = connect()) {
      get(socket);
      long answered = System.nanoTime();

      assertThat(RawHttp.readUntilClose(socket.getInputStream())).as("closed quietly, nothing sent").isEmpty();
      long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
      assertThat(closedAfter).isBetween(IDLE_MILLIS - 100, IDLE_MILLIS + 1500);
    }
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void requestsKeepAConnectionOpenPastTheIdleTimeout(boolean h2c) throws Exception {
    start(h2c);
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      int requests = 0;
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MILLIS)) {
        get(socket);
        requests++;
        Thread.sleep(IDLE_MILLIS / 3);
      }
      assertThat(requests).isGreaterThan(6);
    }
  }

  @ParameterizedTest(name = "h2c={0}")
  @ValueSource(booleans = {true, false})
  void aTunnelStaysOpenWhileFramesFlowAndClosesOnceIdle(boolean h2c) throws Exception {
    start(h2c);
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(RawHttp.readUntil(in, "\r\n\r\n")).startsWith("HTTP/1.1 101");
      long start = System.nanoTime();
      long lastEcho = start;
      while (lastEcho - start < TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MILLIS)) {
        Thread.sleep(IDLE_MILLIS / 3);
        // A masked one-byte text frame; the endpoint echoes it unmasked.
        out.write(new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 'x' ^ 1});
        assertThat(in.readNBytes(3)).containsExactly(0x81, 1, 'x');
        lastEcho = System.nanoTime();
      }

      assertThat(RawHttp.readUntilClose(in)).isEmpty();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastEcho)).isBetween(IDLE_MILLIS - 100,
          IDLE_MILLIS + 1500);
    }
  }

  private Socket connect() throws Exception {
    Socket socket = new Socket(RouterFixture.HOST, fixture.port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void get(Socket socket) throws Exception {
    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(RawHttp.readUntil(socket.getInputStream(), "\r\n\r\nok")).startsWith("HTTP/1.1 200");
  }
}
