package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.InetSocketAddress;
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
 * connection in the middle, its head and idle timeouts, large bodies both ways at the slower side's pace, a body that
 * stops coming, an answer before the body, HEAD, and its counters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ByteLevelPathTest {

  private RouterFixture fixture;
  private Backend backend;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.byteLevel();
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), false, 8192, 64 * 1024 * 1024, Duration.ofMillis(500), Duration.ofSeconds(1), 100,
        HttpListenerConfig.AUTO_MAX_CONNECTIONS, null, Duration.ZERO);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint())),
            ClusterConfig.of("named", List.of(Endpoint.of("localhost", backend.endpoint().port())))),
        List.of(new RouteConfig("named", RouteMatch.path(PathMatch.prefix("/named/")), ForwardAction.to("named")),
            new RouteConfig("slow", RouteMatch.path(PathMatch.exact("/slow")), ForwardAction.to("b"),
                RoutePolicy.DEFAULTS.withTimeout(Duration.ofMillis(300)).withRetries(0)),
            new RouteConfig("all", RouteMatch.path(PathMatch.prefix("/")), ForwardAction.to("b"))));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderAndAChunkedOneAmongThemGoesToTheDecodingPath() throws Exception {
    JsonObject before = fixture.listenerStats();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      client.write("GET /status/201 HTTP/1.1\r\nHost: t\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping"
          + "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
          + "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npong\r\n0\r\n\r\n"
          + "GET /status/203 HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(201);
      RawKeepAlive.Response echo = client.read();
      assertThat(echo.status()).isEqualTo(200);
      assertThat(echo.body()).isEqualTo("ping");
      RawKeepAlive.Response empty = client.read();
      assertThat(empty.status()).isEqualTo(200);
      assertThat(empty.body()).isEmpty();
      assertThat(client.read().body()).isEqualTo("pong");
      assertThat(client.read().status()).isEqualTo(203);
    }
    JsonObject after = fixture.listenerStats();
    // The three before the chunked POST; the one after it came on a connection the decoding path had by then.
    assertThat(after.getLong("byteLevelRequests") - before.getLong("byteLevelRequests")).isEqualTo(3);
    assertThat(after.getLong("byteLevelHandOvers") - before.getLong("byteLevelHandOvers")).isEqualTo(1);
  }

  /**
   * A connection is counted open once and closed once, whether it closes on this path or after it went to the decoding
   * path (which must take it for one counted already).
   */
  @Test
  void aConnectionIsCountedOnceAndItsCloseOnceWhicheverPathHasItThen() throws Exception {
    Eventually.await("the connections of earlier tests closed", Duration.ofSeconds(5),
        () -> fixture.listenerStats().getLong("openConnections") == 0);
    long connections = fixture.listenerStats().getLong("connections");
    try (RawKeepAlive stays = new RawKeepAlive(fixture.port); RawKeepAlive handedOver = new RawKeepAlive(fixture.port)) {
      assertThat(stays.get("/x").status()).isEqualTo(200);
      assertThat(handedOver.get("/x").status()).isEqualTo(200);
      assertThat(handedOver.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\npong\r\n0\r\n\r\n")
          .body()).isEqualTo("pong");
      assertThat(handedOver.get("/x").status()).as("the decoding path's request after it").isEqualTo(200);
      JsonObject open = fixture.listenerStats();
      assertThat(open.getLong("connections") - connections).isEqualTo(2);
      assertThat(open.getLong("openConnections")).isEqualTo(2);
      assertThat(open.getLong("byteLevelConnections")).as("the one still on this path").isEqualTo(1);
    }
    Eventually.await("both counted closed", Duration.ofSeconds(5),
        () -> fixture.listenerStats().getLong("openConnections") == 0);
    JsonObject closed = fixture.listenerStats();
    assertThat(closed.getLong("openConnections")).as("not counted closed twice").isZero();
    assertThat(closed.getLong("byteLevelConnections")).isZero();
    assertThat(closed.getLong("connections") - connections).isEqualTo(2);
  }

  @Test
  void aLargeBodyGoesUpAndComesBackWholeAtTheSlowerSidesPace() throws Exception {
    int size = 384 * 64 * 1024;
    long taken = fixture.listenerStats().getLong("byteLevelRequests");
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(20_000);
      socket.setReceiveBufferSize(16 * 1024);
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          var out = socket.getOutputStream();
          out.write(("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
          byte[] piece = new byte[64 * 1024];
          for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) ('a' + i % 26);
          }
          for (int sent = 0; sent < size; sent += piece.length) {
            out.write(piece);
          }
          out.write("GET /status/204 HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      InputStream in = socket.getInputStream();
      String head = RawHttp.readUntil(in, "\r\n\r\n");
      assertThat(head).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-length: " + size);
      long started = System.nanoTime();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      long wrong = 0;
      while (total < size) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - total));
        assertThat(n).as("echo cut off at " + total).isPositive();
        for (int i = 0; i < n; i++) {
          if (buffer[i] != (byte) ('a' + (total + i) % (64 * 1024) % 26)) {
            wrong++;
          }
        }
        total += n;
        if (System.nanoTime() - started < 300_000_000L) {
          // Slow at first: the router must stop reading the client rather than buffer the body.
          Thread.sleep(5);
        }
      }
      assertThat(wrong).as("bytes changed on the way").isZero();
      // The connection carries the next request after the body.
      assertThat(RawHttp.readUntil(in, "\r\n\r\n")).startsWith("HTTP/1.1 204 ");
      writer.join();
    }
    assertThat(fixture.listenerStats().getLong("byteLevelRequests") - taken).isEqualTo(2);
  }

  @Test
  void upstreamConnectionsABurstOpenedServeTheNextBurst() throws Exception {
    // More requests in flight at once than the 256 idle connections the path used to keep per endpoint.
    int burst = 300;
    holdBurst(burst);
    int opened = backend.connections.get();
    holdBurst(burst);
    assertThat(backend.connections.get()).as("connections the second burst opened").isEqualTo(opened);
  }

  /** {@code count} clients each with a request held at the backend at once, then all answered. */
  private void holdBurst(int count) throws Exception {
    List<String> bodies = RawKeepAlive.burst(fixture.port, count, "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n",
        backend::heldCount, () -> {
          while (backend.answerHeld()) {
            // each held request answered, oldest first
          }
        });
    assertThat(bodies).hasSize(count).containsOnly("b");
  }

  @Test
  void aBodyThatStopsComingClosesTheConnectionAtTheIdleTimeout() throws Exception {
    int completed = backend.completed.get();
    Closed closed = sendUntilClosed("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789");
    assertThat(closed.waitedMillis()).isBetween(900L, 3000L);
    // The echo's head and what came of the body, if anything; never a complete response.
    assertThat(closed.response()).doesNotContain("0123456789".repeat(10));
    assertThat(backend.completed.get()).as("the backend never saw a whole request").isEqualTo(completed);
  }

  @Test
  void afterAnAnswerBeforeTheBodyTheRestOfTheBodyIsDroppedAndTheConnectionGoesOn() throws Exception {
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      client.write("POST /status/413 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\nabc");
      RawKeepAlive.Response early = client.read();
      assertThat(early.status()).isEqualTo(413);
      assertThat(early.body()).isEqualTo("b");
      // As the decoding path does: the rest of the body is read and dropped, then the next request is answered.
      client.write("x".repeat(1_000_000 - 3) + "GET /status/202 HTTP/1.1\r\nHost: t\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(202);
    }
  }

  @Test
  void anErrorOfTheRoutersBeforeTheBodyClosesTheConnectionAfterIt() throws Exception {
    // No endpoint answers in time: the router's 504 comes while the body is unread.
    Closed closed = sendUntilClosed("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\nabc");
    assertThat(closed.response()).startsWith("HTTP/1.1 504 ").containsIgnoringCase("\r\nconnection: close\r\n");
  }

  @Test
  void anEndpointGivenByNameIsResolvedAndReachedOnThisPath() throws Exception {
    long taken = fixture.listenerStats().getLong("byteLevelRequests");
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/named/x");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("b");
    }
    assertThat(fixture.listenerStats().getLong("byteLevelRequests") - taken).isEqualTo(1);
  }

  @Test
  void aHeadLeftHalfWayIsAnswered408AtTheHeadTimeout() throws Exception {
    long timeouts = fixture.listenerStats().getLong("headerTimeouts");
    Closed closed = sendUntilClosed("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHo");
    assertThat(closed.response()).startsWith("HTTP/1.1 200 ").contains("HTTP/1.1 408 Request Timeout\r\n");
    assertThat(closed.waitedMillis()).isBetween(400L, 2500L);
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

  @Test
  void xForwardedForCarriesTheClientsAddressDigitForDigit() throws Exception {
    // Octets of one, two and three digits, and zeros: the path writes an IPv4 address from its four bytes.
    for (String client : List.of("127.0.0.1", "127.10.200.3", "127.255.0.99", "127.0.100.10")) {
      try (Socket socket = new Socket()) {
        socket.bind(new InetSocketAddress(client, 0));
        socket.connect(new InetSocketAddress(RouterFixture.HOST, fixture.port), 5000);
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(("GET /headers/x HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 10.0.0.1\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        String response = RawHttp.readUntilClose(socket.getInputStream());
        JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(seen.getString("x-forwarded-for")).isEqualTo("10.0.0.1, " + client);
      }
    }
  }

  /** What a connection got after {@code request} until the router closed it, and how long that took. */
  private record Closed(String response, long waitedMillis) {
  }

  private Closed sendUntilClosed(String request) throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      long sent = System.nanoTime();
      String response = RawHttp.readUntilClose(socket.getInputStream());
      return new Closed(response, (System.nanoTime() - sent) / 1_000_000);
    }
  }
}
