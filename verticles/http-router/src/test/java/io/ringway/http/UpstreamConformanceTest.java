package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.testkit.LogWatch;
import io.ringway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a misbehaving upstream can make the router send its clients: ambiguous framing, bad status lines, 1xx
 * storms, bytes beyond a response's length, short bodies, oversized heads, resets. Never a smuggled response,
 * never a cut-off body presented as complete, every refusal counted, and nothing logged at SEVERE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamConformanceTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  private static final String HINTS = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";

  private RouterFixture fixture;
  private ScriptedBackend up;
  private HttpServer h2Backend;
  private HttpClient h2;
  private final List<LogRecord> severe = new CopyOnWriteArrayList<>();
  private LogWatch capture;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    capture = LogWatch.on("", record -> {
      if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
        severe.add(record);
      }
    });
    fixture = newFixture();
    up = new ScriptedBackend().on("/ok", ScriptedBackend.bytes(OK));
    h2Backend = fixture.vertx.createHttpServer().requestHandler(this::h2Handle).listen(0, RouterFixture.HOST)
        .await(10, TimeUnit.SECONDS);
    h2 = fixture.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    // No retries and no outlier detection: each refusal is the one the test asked for.
    RoutePolicy once = RoutePolicy.DEFAULTS.withRetries(0);
    fixture.start(List.of(
            ClusterConfig.of("scripted", List.of(up.endpoint())).withOutlierDetection(null),
            ClusterConfig.of("h2up", List.of(Endpoint.of(RouterFixture.HOST, h2Backend.actualPort())))
                .withOutlierDetection(null).withProtocol(UpstreamProtocol.H2C),
            // Nothing listens there: every connect is refused at once.
            ClusterConfig.of("refusing", List.of(Endpoint.of(RouterFixture.HOST, Ports.freeTcpPort())))
                .withOutlierDetection(null)),
        List.of(
            new RouteConfig("refusing", RouteMatch.path(PathMatch.prefix("/refused/")), ForwardAction.to("refusing"),
                once),
            new RouteConfig("h2up", RouteMatch.path(PathMatch.prefix("/h2/")),
                new ForwardAction(List.of(new WeightedCluster("h2up", 1)), "/", null), once),
            new RouteConfig("scripted", RouteMatch.path(PathMatch.prefix("/")), ForwardAction.to("scripted"),
                once)));
  }

  /**
   * The h2c upstream: {@code /reset-head}, {@code /reset-body}, {@code /reset-early} reset the stream,
   * {@code /slow} never reads nor answers, {@code /hints} and {@code /hint-storm} send 103s first,
   * {@code /answer-then-stop} answers 413 at once and then stops the request body with RST_STREAM(NO_ERROR).
   */
  private void h2Handle(HttpServerRequest request) {
    switch (request.path()) {
      case "/slow" -> request.pause();
      case "/reset-head" -> request.response().reset(0);
      case "/reset-early" -> request.response().reset(0x8);
      case "/answer-then-stop" -> request.response().setStatusCode(413).end("too large")
          .onComplete(v -> request.response().reset(0));
      case "/reset-body" -> request.response().setChunked(true).write("part")
          .onComplete(v -> fixture.vertx.setTimer(20, t -> request.response().reset(0x2)));
      case "/hints" -> request.response().writeEarlyHints(MultiMap.caseInsensitiveMultiMap()
          .add("link", "</a.css>; rel=preload")).onComplete(v -> request.response().end("ok"));
      case "/hint-storm" -> {
        for (int i = 0; i < 40; i++) {
          request.response().writeEarlyHints(MultiMap.caseInsensitiveMultiMap().add("link", "</" + i + ">"));
        }
        request.response().end("ok");
      }
      default -> request.response().end("ok");
    }
  }

  @AfterAll
  void stop() throws Exception {
    capture.close();
    up.close();
    fixture.close();
  }

  @BeforeEach
  void clearLog() {
    severe.clear();
  }

  @AfterEach
  void nothingLoggedAtSevere() {
    assertThat(severe).extracting(r -> r.getLoggerName() + ": " + r.getMessage()).isEmpty();
  }

  /**
   * RFC 9112 §6.1, §6.3: a response framed both by Content-Length and by chunked coding, or chunked in HTTP/1.0, is
   * faulty framing: 502 (nginx's answer), on both data paths, and the connection is not reused.
   */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5",
      "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked"})
  void ambiguousResponseFramingIs502AndTheConnectionIsNotReused(String head) throws Exception {
    up.on("/clte", ScriptedBackend.bytes(head + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    long before = cluster().getLong("httpBadResponses");
    int closed = up.closedByRouter.get();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/clte").status()).isEqualTo(502);
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(sendH2("/clte").status()).isEqualTo(502);
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 2);
    Eventually.await("the upstream connections closed", Duration.ofSeconds(5),
        () -> up.closedByRouter.get() >= closed + 2);
  }

  /**
   * A request answered with an error before its end was read (an endpoint refusing the connect fails it while the
   * request waits paused for its try) keeps its connection when nothing of it is left unread: bodyless, or a small
   * body of a declared length, read and dropped (nginx and HAProxy keep both). A chunked body closes it.
   */
  @Test
  void aRefusedConnectIsAnsweredAndTheClientConnectionKept() throws Exception {
    String post = "POST /refused/post HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n0123456789";
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      for (int i = 0; i < 5; i++) {
        RawKeepAlive.Response response = i % 2 == 0 ? client.get("/refused/" + i) : client.send(post);
        assertThat(response.status()).as("request %d", i).isBetween(502, 503);
        assertThat(response.header("connection")).as("request %d's connection header", i).isNull();
      }
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      // A chunked body is read and dropped too, up to 64 KiB...
      RawKeepAlive.Response response = client.send("POST /refused/chunked HTTP/1.1\r\nHost: test\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
      assertThat(response.status()).isBetween(502, 503);
      assertThat(response.header("connection")).isNull();
      assertThat(client.get("/ok").body()).isEqualTo("ok");
      // ...and past that the connection closes, answered first (the body's last chunk never comes).
      int size = 64 * 1024 + 4096;
      response = client.send("POST /refused/chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(size) + "\r\n" + "x".repeat(size) + "\r\n");
      assertThat(response.status()).isBetween(502, 503);
      assertThat(client.closedByServer()).as("closed past 64 KiB of dropped body").isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1 2x0 OK", "HTTP/1.1 200OK", "HTTP/2.0 200 OK", "garbage", "HTTP/1.1 99 OK",
      "HTTP/1.1 1000 OK", "HTTP/1.1 600 Custom", "ICY 200 OK", "HTTP/1.1 -200 OK"})
  void badStatusLineIs502AndTheConnectionIsNotReused(String line) throws Exception {
    up.on("/bad", ScriptedBackend.bytes(line + "\r\nContent-Length: 2\r\n\r\nok"));
    long before = cluster().getLong("httpBadResponses");
    int closed = up.closedByRouter.get();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/bad");
      assertThat(response.status()).isEqualTo(502);
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 1);
    Eventually.await("the upstream connection closed", Duration.ofSeconds(5),
        () -> up.closedByRouter.get() > closed);
  }

  @Test
  void anUpstreamThatClosesAfterAnEmptyLineIs502() throws Exception {
    up.on("/empty", ScriptedBackend.bytesThenClose("\r\n"));
    long before = cluster().getLong("httpFailures");
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/empty").status()).isEqualTo(502);
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(cluster().getLong("httpFailures")).isEqualTo(before + 1);
  }

  @Test
  void earlyHintsAreForwardedToHttp11AndH2Clients() throws Exception {
    up.on("/hints", ScriptedBackend.bytes(HINTS + OK));
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/hints");
      assertThat(response.head()).startsWith("HTTP/1.1 103 Early Hints\r\n")
          .containsIgnoringCase("link: </a.css>; rel=preload\r\n").contains("HTTP/1.1 200 OK\r\n");
      assertThat(response.body()).isEqualTo("ok");
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    for (String path : List.of("/hints", "/h2/hints")) {
      List<MultiMap> hints = new CopyOnWriteArrayList<>();
      CompletableFuture<Future<Buffer>> sent = new CompletableFuture<>();
      fixture.context.runOnContext(v -> sent.complete(h2.request(new RequestOptions().setHost(RouterFixture.HOST)
              .setPort(fixture.port).setURI(path))
          .compose(request -> request.earlyHintsHandler(hints::add).send())
          .compose(response -> response.body())));
      assertThat(sent.get(5, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS).toString()).isEqualTo("ok");
      assertThat(hints).as(path).hasSize(1);
      assertThat(hints.get(0).get("link")).isEqualTo("</a.css>; rel=preload");
    }
  }

  @Test
  void earlyHintsAreNotSentToAnHttp10Client() throws Exception {
    up.on("/hints10", ScriptedBackend.bytes(HINTS + OK));
    String response = RawHttp.exchange(fixture.port, "GET /hints10 HTTP/1.0\r\nHost: t\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok").doesNotContain("103");
  }

  @Test
  void continueAndProcessingAreDroppedAndTheFinalResponseRelayed() throws Exception {
    up.on("/interim", ScriptedBackend.bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
        + "HTTP/1.1 104 Unknown\r\nX-A: 1\r\n\r\n" + OK));
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/interim");
      assertThat(response.head()).startsWith("HTTP/1.1 200 OK\r\n");
      assertThat(response.body()).isEqualTo("ok");
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(sendH2("/interim").text()).isEqualTo("ok");
  }

  @Test
  void anInterimStormIsBounded() throws Exception {
    String mix = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" + HINTS;
    up.on("/storm/32", ScriptedBackend.bytes(mix.repeat(10) + "HTTP/1.1 102 Processing\r\n\r\n".repeat(2) + OK));
    up.on("/storm/33", ScriptedBackend.bytes(mix.repeat(11) + OK));
    up.on("/storm/huge", ScriptedBackend.bytes("HTTP/1.1 102 Processing\r\n\r\n".repeat(100_000) + OK));
    long before = cluster().getLong("httpBadResponses");
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/storm/32");
      assertThat(response.body()).isEqualTo("ok");
      assertThat(response.head().split("HTTP/1.1 103 ", -1)).as("10 hints forwarded").hasSize(11);
    }
    for (String path : List.of("/storm/33", "/storm/huge")) {
      try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
        RawKeepAlive.Response response = client.get(path);
        // Hints before the limit went out first; the last head is the refusal.
        assertThat(response.head()).as(path).contains("HTTP/1.1 502 Bad Gateway\r\n");
        assertThat(client.get("/ok").body()).isEqualTo("ok");
      }
    }
    assertThat(sendH2("/h2/hint-storm").status()).isEqualTo(502);
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 2);
    assertThat(fixture.clusterStats("h2up").getLong("httpBadResponses")).isEqualTo(1);
  }

  @Test
  void bytesAfterTheEndOfAResponseNeverAnswerTheNextRequest() throws Exception {
    // A cut short response (Content-Length 2, "hello") and a whole one, each followed by a forged second answer.
    up.on("/extra/cut", ScriptedBackend.bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhello"
        + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
    up.on("/extra/whole", ScriptedBackend.bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
    long before = cluster().getLong("httpBadResponses");
    for (String path : List.of("/extra/cut", "/extra/whole")) {
      for (int i = 0; i < 10; i++) {
        try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
          RawKeepAlive.Response first = client.get(path);
          assertThat(first.body()).isEqualTo(path.endsWith("cut") ? "he" : "hello");
          assertThat(first.cutOff()).isFalse();
          RawKeepAlive.Response second = client.get("/ok");
          assertThat(second.status()).as("the next request: its own answer, not a 502").isEqualTo(200);
          assertThat(second.body()).isEqualTo("ok");
        }
      }
    }
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 20);
  }

  @Test
  void bytesOnAnIdleConnectionCloseIt() throws Exception {
    up.on("/late", ScriptedBackend.sequence(ScriptedBackend.bytes(OK), ScriptedBackend.pause(100),
        ScriptedBackend.bytes("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled")));
    long before = cluster().getLong("httpBadResponses");
    int closed = up.closedByRouter.get();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/late").body()).isEqualTo("ok");
      // The forged answer arrives while the pooled connection is idle: it is closed then, not when lent again.
      Eventually.await("the idle upstream connection closed", Duration.ofSeconds(5),
          () -> up.closedByRouter.get() > closed);
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 1);
  }

  @Test
  void aBodyShorterThanItsContentLengthIsNeverPresentedAsComplete() throws Exception {
    up.on("/short", ScriptedBackend.bytesThenClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-ten!!"));
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      RawKeepAlive.Response response = client.get("/short");
      assertThat(response.header("content-length")).isEqualTo("100");
      assertThat(response.cutOff()).as("the connection closed before the body completed").isTrue();
      assertThat(response.body()).isEqualTo("only-ten!!");
    }
    Throwable h2Failure = catchThrowable(() -> sendH2("/short"));
    assertThat(h2Failure).isInstanceOf(StreamResetException.class);
  }

  @Test
  void aHeadOverTheLimitIs502() throws Exception {
    up.on("/big-head", ScriptedBackend.bytes("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(10_000) + "\r\n" + OK.substring(17)));
    long before = cluster().getLong("httpBadResponses");
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/big-head").status()).isEqualTo(502);
      assertThat(client.get("/ok").body()).isEqualTo("ok");
    }
    assertThat(sendH2("/big-head").status()).isEqualTo(502);
    assertThat(cluster().getLong("httpBadResponses")).isEqualTo(before + 2);
  }

  @Test
  void upstreamResetsAreCountedNotLogged() throws Exception {
    long before = fixture.clusterStats("h2up").getLong("httpUpstreamResets");
    assertThat(sendH2("/h2/reset-head").status()).isEqualTo(502);
    assertThat(send("/h2/reset-head").status()).isEqualTo(502);
    // A request still sending its body when the reset comes: Vert.x reports it to the request.
    assertThat(Reply.send(fixture.context, fixture.client, new RequestOptions().setHost(RouterFixture.HOST)
        .setPort(fixture.port).setMethod(HttpMethod.POST).setURI("/h2/reset-early"),
        Buffer.buffer("x".repeat(200_000))).status()).isEqualTo(502);
    assertThat(catchThrowable(() -> sendH2("/h2/reset-body"))).isInstanceOf(StreamResetException.class);
    assertThat(catchThrowable(() -> send("/h2/reset-body"))).isNotNull();
    Eventually.await("5 resets counted", Duration.ofSeconds(5),
        () -> fixture.clusterStats("h2up").getLong("httpUpstreamResets") == before + 5);

    up.on("/reset", ScriptedBackend.bytesThenReset("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"));
    long http1Before = cluster().getLong("httpUpstreamResets");
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.get("/reset").cutOff()).isTrue();
    }
    Eventually.await("the HTTP/1 reset counted", Duration.ofSeconds(5),
        () -> cluster().getLong("httpUpstreamResets") == http1Before + 1);
  }

  /**
   * An h2 upstream that answered in full before the request's body ended may stop the body with RST_STREAM(NO_ERROR);
   * the client MUST NOT discard the response for it (RFC 9113 §8.1): the 413 is relayed, not a 502.
   */
  @Test
  void aCompleteH2AnswerFollowedByAStopOfTheBodyIsRelayed() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
        client.write("POST /h2/answer-then-stop HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
            + "x".repeat(1000));
        RawKeepAlive.Response answer = client.read();
        assertThat(answer.status()).as("attempt %s: %s", i, answer.body()).isEqualTo(413);
        assertThat(answer.body()).isEqualTo("too large");
      }
    }
  }

  @Test
  void theRoutersOwnResetOfAnAbandonedUpstreamStreamIsNeitherLoggedNorCounted() throws Exception {
    long before = fixture.clusterStats("h2up").getLong("httpUpstreamResets");
    long requests = fixture.clusterStats("h2up").getLong("httpRequests");
    try (java.net.Socket socket = new java.net.Socket(RouterFixture.HOST, fixture.port)) {
      socket.getOutputStream().write(("POST /h2/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
          + "x".repeat(1000)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      Eventually.await("forwarded", Duration.ofSeconds(5),
          () -> fixture.clusterStats("h2up").getLong("httpRequests") > requests);
    }
    // The client went away mid-body: the router resets its upstream stream (NO_ERROR), which Vert.x used to
    // report to the request as "Stream reset: 0" at SEVERE.
    Thread.sleep(300);
    assertThat(fixture.clusterStats("h2up").getLong("httpUpstreamResets")).isEqualTo(before);
  }

  private Reply send(String path) throws Exception {
    return Reply.send(fixture.context, fixture.client, new RequestOptions().setHost(RouterFixture.HOST)
        .setPort(fixture.port).setMethod(HttpMethod.GET).setURI(path), null);
  }

  private Reply sendH2(String path) throws Exception {
    return Reply.send(fixture.context, h2, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setMethod(HttpMethod.GET).setURI(path), null);
  }

  private JsonObject cluster() {
    return fixture.clusterStats("scripted");
  }
}
