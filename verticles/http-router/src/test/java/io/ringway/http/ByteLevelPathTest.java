package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the byte-level HTTP/1 path does of its own, beyond the suites run through it: pipelining and the hand-over of a
 * connection in the middle, its head and idle timeouts, a large body to a slow reader, HEAD, and its counters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ByteLevelPathTest {

  private RouterFixture fixture;
  private Backend backend;

  @BeforeAll
  void start() throws Exception {
    fixture = RouterFixture.byteLevel();
    backend = new Backend(fixture.vertx, "b");
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), false, 8192, 64 * 1024 * 1024, Duration.ofMillis(500), Duration.ofSeconds(1), 100,
        HttpListenerConfig.AUTO_MAX_CONNECTIONS, null, Duration.ZERO);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.path(PathMatch.prefix("/")), ForwardAction.to("b"))));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void pipelinedGetsAreAnsweredInOrderAndAPostAmongThemGoesToTheDecodingPath() throws Exception {
    JsonObject before = fixture.listenerStats();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      client.write("GET /status/201 HTTP/1.1\r\nHost: t\r\n\r\nGET /status/202 HTTP/1.1\r\nHost: t\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping"
          + "GET /status/203 HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(201);
      assertThat(client.read().status()).isEqualTo(202);
      RawKeepAlive.Response echo = client.read();
      assertThat(echo.status()).isEqualTo(200);
      assertThat(echo.body()).isEqualTo("ping");
      assertThat(client.read().status()).isEqualTo(203);
    }
    JsonObject after = fixture.listenerStats();
    // The two GETs before the POST; the one after it came on a connection the decoding path had by then.
    assertThat(after.getLong("byteLevelRequests") - before.getLong("byteLevelRequests")).isEqualTo(2);
    assertThat(after.getLong("byteLevelHandOvers") - before.getLong("byteLevelHandOvers")).isEqualTo(1);
  }

  @Test
  void aHeadLeftHalfWayIsAnswered408AtTheHeadTimeout() throws Exception {
    long timeouts = fixture.listenerStats().getLong("headerTimeouts");
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHo"
          .getBytes(StandardCharsets.ISO_8859_1));
      long sent = System.nanoTime();
      String response = RawHttp.readUntilClose(socket.getInputStream());
      long waitedMillis = (System.nanoTime() - sent) / 1_000_000;
      assertThat(response).startsWith("HTTP/1.1 200 ").contains("HTTP/1.1 408 Request Timeout\r\n");
      assertThat(waitedMillis).isBetween(400L, 2500L);
    }
    assertThat(fixture.listenerStats().getLong("headerTimeouts")).isEqualTo(timeouts + 1);
  }

  @Test
  void anIdleConnectionClosesQuietlyAtTheIdleTimeout() throws Exception {
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/x").body()).isEqualTo("b");
      long idleFrom = System.nanoTime();
      assertThat(client.closedByServer()).isTrue();
      assertThat((System.nanoTime() - idleFrom) / 1_000_000).isBetween(900L, 3000L);
    }
  }

  @Test
  void aLargeBodyReachesASlowReaderWhole() throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(10_000);
      socket.setReceiveBufferSize(16 * 1024);
      socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      String head = RawHttp.readUntil(in, "\r\n\r\n");
      assertThat(head).startsWith("HTTP/1.1 200 ").containsIgnoringCase("transfer-encoding: chunked");
      long total = 0;
      byte[] buffer = new byte[64 * 1024];
      long started = System.nanoTime();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
        if (System.nanoTime() - started < 300_000_000L) {
          // Slow at first: the router must stop reading the backend rather than buffer the body.
          Thread.sleep(5);
        }
      }
      // Chunked framing around the body: at least the body, and its last chunk.
      assertThat(total).isGreaterThan(Backend.BIG_BODY);
    }
  }

  @Test
  void headGetsTheHeadAndNoBody() throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      String head = RawHttp.readUntil(socket.getInputStream(), "\r\n\r\n");
      // Framed as the backend framed it (Vert.x answers HEAD without a length: chunked), and no body after it.
      assertThat(head).startsWith("HTTP/1.1 200 ").contains("\r\nvia: 1.1 ringway\r\n");
      socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      // Nothing of a body came after the HEAD's head: the next bytes are the GET's response.
      assertThat(RawHttp.readUntilClose(socket.getInputStream())).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nb");
    }
  }
}
