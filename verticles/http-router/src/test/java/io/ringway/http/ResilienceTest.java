package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.EventBusAction;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RetryBudget;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.testkit.ByteBufLeaks;
import io.ringway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries, timeouts, the circuit breaker and event-bus targets, end to end on io_uring. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResilienceTest {

  private RouterFixture fixture;
  private Backend good;
  private Backend failing;
  private Backend h2a;
  private Backend h2b;
  private Backend holding;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    good = new Backend(fixture.vertx, "good");
    failing = new Backend(fixture.vertx, "failing");
    h2a = new Backend(fixture.vertx, "h2a");
    h2b = new Backend(fixture.vertx, "h2b");
    holding = new Backend(fixture.vertx, "holding");
    Endpoint dead = Endpoint.of(RouterFixture.HOST, Ports.freeTcpPort());
    List<ClusterConfig> clusters = List.of(
        ClusterConfig.of("deadfirst", List.of(dead, good.endpoint())).withOutlierDetection(null),
        ClusterConfig.of("mixed", List.of(failing.endpoint(), good.endpoint())).withOutlierDetection(null),
        ClusterConfig.of("slow", List.of(good.endpoint())),
        ClusterConfig.of("tiny", List.of(good.endpoint())).withLimits(new CircuitBreakerConfig(1, 1, 0)),
        ClusterConfig.of("queued", List.of(holding.endpoint())).withLimits(new CircuitBreakerConfig(1, 1, 2)),
        ClusterConfig.of("h2", List.of(h2a.endpoint(), h2b.endpoint())).withProtocol(UpstreamProtocol.H2C));
    RoutePolicy quick = RoutePolicy.DEFAULTS.withTimeout(Duration.ofMillis(300)).withRetries(0);
    fixture.start(1, RouterFixture.listener(Ports.freeTcpPort()), clusters, List.of(
        new RouteConfig("connect-retry", RouteMatch.path(PathMatch.prefix("/dead")), ForwardAction.to("deadfirst"),
            RoutePolicy.DEFAULTS.withRetries(1)),
        new RouteConfig("status-retry", RouteMatch.path(PathMatch.prefix("/status/")), ForwardAction.to("mixed"),
            RoutePolicy.DEFAULTS.withRetries(1)),
        new RouteConfig("replay", RouteMatch.path(PathMatch.prefix("/fail/")), ForwardAction.to("mixed"),
            RoutePolicy.DEFAULTS.withRetries(1)),
        new RouteConfig("no-budget", RouteMatch.path(PathMatch.prefix("/budget/")),
            new ForwardAction(List.of(new WeightedCluster("mixed", 1)), "/status/", null),
            RoutePolicy.DEFAULTS.withRetries(1).withRetryBudget(new RetryBudget(0, 0))),
        new RouteConfig("timeout", RouteMatch.path(PathMatch.exact("/slow")), ForwardAction.to("slow"), quick),
        new RouteConfig("limited", RouteMatch.path(PathMatch.exact("/slow/limited")), ForwardAction.to("tiny"),
            RoutePolicy.DEFAULTS.withTimeout(Duration.ofSeconds(2))),
        new RouteConfig("hold-long", RouteMatch.path(PathMatch.exact("/hold/long")), ForwardAction.to("queued"),
            RoutePolicy.DEFAULTS.withTimeout(Duration.ofSeconds(10))),
        new RouteConfig("hold-short", RouteMatch.path(PathMatch.exact("/hold/short")), ForwardAction.to("queued"), quick),
        new RouteConfig("queued-echo", RouteMatch.path(PathMatch.exact("/echo/queued")), ForwardAction.to("queued"),
            RoutePolicy.DEFAULTS.withTimeout(Duration.ofSeconds(10))),
        new RouteConfig("partial", RouteMatch.path(PathMatch.exact("/partial")), ForwardAction.to("slow")),
        new RouteConfig("big", RouteMatch.path(PathMatch.exact("/big")), ForwardAction.to("slow")),
        new RouteConfig("echo", RouteMatch.path(PathMatch.exact("/echo")), ForwardAction.to("slow")),
        new RouteConfig("h2", RouteMatch.path(PathMatch.prefix("/h2/")),
            new ForwardAction(List.of(new WeightedCluster("h2", 1)), "/", null), RoutePolicy.DEFAULTS.withRetries(1)),
        new RouteConfig("bus", RouteMatch.path(PathMatch.exact("/bus")), new EventBusAction("svc.echo")),
        new RouteConfig("bus-none", RouteMatch.path(PathMatch.exact("/bus/none")), new EventBusAction("svc.none")),
        new RouteConfig("bus-slow", RouteMatch.path(PathMatch.exact("/bus/slow")), new EventBusAction("svc.slow"),
            quick)));
    fixture.vertx.eventBus().<JsonObject>consumer("svc.echo", m -> m.reply(new JsonObject().put("status", 201)
        .put("headers", new JsonObject().put("x-svc", "yes"))
        .put("body", m.body().getString("method") + " " + m.body().getString("path") + " " + m.body().getString("body"))))
        .completion().await();
    fixture.vertx.eventBus().consumer("svc.slow", m -> { }).completion().await();
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  private Reply send(HttpMethod method, String uri, String body) throws Exception {
    return Reply.send(fixture.context, fixture.client, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setMethod(method).setURI(uri), body == null ? null : io.vertx.core.buffer.Buffer.buffer(body));
  }

  @Test
  void connectFailureMovesToAHealthyEndpoint() throws Exception {
    for (int i = 0; i < 10; i++) {
      Reply reply = send(HttpMethod.GET, "/dead", null);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.text()).isEqualTo("good");
    }
  }

  @Test
  void gatewayErrorIsRetriedForIdempotentMethodsOnly() throws Exception {
    for (int i = 0; i < 6; i++) {
      // The failing backend answers its path's status; the good one too, but only one of them is asked twice.
      Reply reply = send(HttpMethod.GET, "/status/503", null);
      assertThat(reply.status()).isEqualTo(503);
    }
    int before = failing.seen.get() + good.seen.get();
    send(HttpMethod.GET, "/status/503", null);
    assertThat(failing.seen.get() + good.seen.get() - before).isEqualTo(2);
    before = failing.seen.get() + good.seen.get();
    assertThat(send(HttpMethod.POST, "/status/503", "x").status()).isEqualTo(503);
    assertThat(failing.seen.get() + good.seen.get() - before).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(ints = {1_000, 40_000})
  void aTryThatConsumedTheBodyAndFailedIsRetriedWithTheBodySentAgain(int size) throws Exception {
    String body = randomText(size);
    int failedBefore = failing.seen.get();
    int goodBefore = good.completed.get();
    for (int i = 0; i < 6; i++) {
      Reply reply = send(HttpMethod.PUT, "/fail/failing", body);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.text()).as("the body the retry sent").isEqualTo(body);
    }
    assertThat(failing.seen.get() - failedBefore).as("tries that failed and were retried").isPositive();
    assertThat(good.completed.get() - goodBefore).isEqualTo(6);
  }

  @Test
  void aBodyOverTheReplayLimitIsNotRetried() throws Exception {
    String body = randomText(64 * 1024 + 1); // ProxyExchange.REPLAY_LIMIT + 1
    int before = failing.seen.get() + good.seen.get();
    int failed = 0;
    for (int i = 0; i < 6; i++) {
      Reply reply = send(HttpMethod.PUT, "/fail/failing", body);
      if (reply.status() == 503) {
        failed++;
      } else {
        assertThat(reply.text()).isEqualTo(body);
      }
    }
    assertThat(failed).as("tries on the failing backend, relayed").isPositive();
    assertThat(failing.seen.get() + good.seen.get() - before).as("one try each").isEqualTo(6);
  }

  private static String randomText(int size) {
    StringBuilder text = new StringBuilder(size);
    java.util.Random random = new java.util.Random(size);
    while (text.length() < size) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  @Test
  void aSpentRetryBudgetRelaysTheFirstAnswer() throws Exception {
    int before = failing.seen.get() + good.seen.get();
    Reply reply = send(HttpMethod.GET, "/budget/503", null);
    assertThat(reply.status()).isEqualTo(503);
    assertThat(failing.seen.get() + good.seen.get() - before).isEqualTo(1);
    JsonObject route = fixture.stats().getJsonArray("routes").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("route").equals("no-budget")).findFirst().orElseThrow();
    assertThat(route.getLong("retryBudgetExhausted")).isEqualTo(1L);
    assertThat(route.getLong("retries")).isZero();
    assertThat(route.getLong("inFlight")).isZero();
    assertThat(route.getLong("retriesInFlight")).isZero();
  }

  @Test
  void requestTimeoutIs504() throws Exception {
    long start = System.nanoTime();
    assertThat(send(HttpMethod.GET, "/slow", null).status()).isEqualTo(504);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void requestsOfOneRouteTimeOutEachAtItsOwnDeadline() throws Exception {
    // The route's deadlines share one timer: the sweep that expires the first request must leave the second, started
    // 150 ms later, waiting until its own deadline.
    var first = timedSend("/slow");
    Thread.sleep(150);
    var second = timedSend("/slow");

    for (String outcome : List.of(first.await(10, TimeUnit.SECONDS), second.await(10, TimeUnit.SECONDS))) {
      assertThat(outcome).startsWith("504 after ");
      assertThat(Long.parseLong(outcome.substring("504 after ".length()))).as(outcome).isGreaterThanOrEqualTo(300);
    }
  }

  /** "STATUS after MILLIS", timed from now. */
  private Future<String> timedSend(String uri) {
    long start = System.nanoTime();
    return fixture.client.request(new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port).setURI(uri))
        .compose(request -> request.send())
        .map(response -> response.statusCode() + " after " + (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void clusterLimitWithNoQueueIs503WithOverloadHeader() throws Exception {
    var first = fixture.client.request(new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setURI("/slow/limited")).compose(r -> r.send());
    Eventually.await("first request holds the only slot", Duration.ofSeconds(5), () -> good.seen.get() > 0);
    Reply second = send(HttpMethod.GET, "/slow/limited", null);
    assertThat(second.status()).isEqualTo(503);
    assertThat(second.header("x-ringway-overloaded")).isEqualTo("true");
    assertThat(first.await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(504);
  }

  /** The "queued" cluster's counters: one connection, two requests may wait. */
  private JsonObject queuedCluster() {
    try {
      JsonArray clusters = fixture.stats().getJsonArray("clusters");
      for (int i = 0; i < clusters.size(); i++) {
        if (clusters.getJsonObject(i).getString("cluster").equals("queued")) {
          return clusters.getJsonObject(i);
        }
      }
      throw new AssertionError("no cluster \"queued\" in " + clusters.encode());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Future<Reply> sendAsync(HttpMethod method, String uri, String body) throws Exception {
    return Reply.sendAsync(fixture.context, fixture.client, new RequestOptions().setHost(RouterFixture.HOST)
        .setPort(fixture.port).setMethod(method).setURI(uri), body == null ? null : io.vertx.core.buffer.Buffer.buffer(body))
        .get(20, TimeUnit.SECONDS);
  }

  private void awaitWaiting(int waiting) throws Exception {
    Eventually.await(waiting + " requests waiting in the queued cluster", Duration.ofSeconds(5),
        () -> queuedCluster().getInteger("pendingRequests") == waiting);
  }

  /** Each queue test starts with the "queued" cluster idle and the holding backend's record of heads empty. */
  private void startIdle() throws Exception {
    holding.uris.clear();
    Eventually.await("the queued cluster idle", Duration.ofSeconds(5),
        () -> queuedCluster().getInteger("activeConnections") == 0);
  }

  @Test
  void requestsOverTheClusterLimitWaitTheirTurnInOrderAndOverTheQueueAre503() throws Exception {
    startIdle();
    Future<Reply> first = sendAsync(HttpMethod.GET, "/hold/long", null);
    Eventually.await("the first request holds the only connection", Duration.ofSeconds(5),
        () -> holding.uris.size() == 1);
    Future<Reply> second = sendAsync(HttpMethod.POST, "/echo/queued", "the body waited with its request");
    awaitWaiting(1);
    Future<Reply> third = sendAsync(HttpMethod.GET, "/hold/long", null);
    awaitWaiting(2);

    Reply over = send(HttpMethod.GET, "/hold/long", null);
    assertThat(over.status()).isEqualTo(503);
    assertThat(over.header("x-ringway-overloaded")).isEqualTo("true");
    assertThat(holding.uris).as("nothing queued reached the backend while the first held it").hasSize(1);

    assertThat(holding.answerHeld()).isTrue();
    assertThat(first.await(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    Reply echoed = second.await(5, TimeUnit.SECONDS);
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.text()).isEqualTo("the body waited with its request");
    Eventually.await("the third request's turn", Duration.ofSeconds(5), () -> holding.answerHeld());
    assertThat(third.await(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(holding.uris).containsExactly("/hold/long", "/echo/queued", "/hold/long");
    JsonObject stats = queuedCluster();
    assertThat(stats.getLong("queuedRequests")).isGreaterThanOrEqualTo(2);
    assertThat(stats.getLong("queueOverflows")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aWaitingRequestPastItsRouteTimeoutIs504AndNeverForwarded() throws Exception {
    startIdle();
    Future<Reply> first = sendAsync(HttpMethod.GET, "/hold/long", null);
    Eventually.await("the first request holds the only connection", Duration.ofSeconds(5),
        () -> holding.uris.size() == 1);

    Reply late = send(HttpMethod.GET, "/hold/short", null);
    assertThat(late.status()).isEqualTo(504);
    awaitWaiting(0);
    assertThat(holding.answerHeld()).isTrue();
    assertThat(first.await(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/hold/short", null).status()).as("the queue and the connection are free again")
        .isEqualTo(504);
    assertThat(holding.uris).containsExactly("/hold/long", "/hold/short");
    holding.answerHeld();
  }

  @Test
  void aWaitingRequestWhoseClientLeavesIsNeverForwarded() throws Exception {
    startIdle();
    long cancelledBefore = queuedCluster().getLong("queueCancellations");
    Future<Reply> first = sendAsync(HttpMethod.GET, "/hold/long", null);
    Eventually.await("the first request holds the only connection", Duration.ofSeconds(5),
        () -> holding.uris.size() == 1);
    try (Socket client = new Socket(RouterFixture.HOST, fixture.port)) {
      client.getOutputStream().write("GET /hold/long HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      awaitWaiting(1);
    }
    Eventually.await("the gone client's request left the queue", Duration.ofSeconds(5),
        () -> queuedCluster().getLong("queueCancellations") == cancelledBefore + 1);
    awaitWaiting(0);

    assertThat(holding.answerHeld()).isTrue();
    assertThat(first.await(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    Eventually.await("the connection free again", Duration.ofSeconds(5),
        () -> queuedCluster().getInteger("activeConnections") == 0);
    assertThat(holding.uris).containsExactly("/hold/long");
  }

  @Test
  void aBodyTheUpstreamCutsOffReachesTheClientCutOff() throws Exception {
    String reply = RawHttp.exchange(fixture.port, "GET /partial HTTP/1.1\r\nHost: a\r\n\r\n");

    assertThat(reply).startsWith("HTTP/1.1 200").contains(Backend.PARTIAL_CHUNK);
    assertThat(reply).as("no last chunk: the client must not take the cut-off body for all of it")
        .doesNotContain("\r\n0\r\n\r\n").doesNotContain("<timeout>");
  }

  @Test
  void clientsLeavingMidBodyFreeTheUpstreamAndBreakNothing() throws Exception {
    try (ByteBufLeaks leaks = ByteBufLeaks.watch()) {
      clientsLeaveMidBody();
      // Vert.x 5.0.10 dropped what a paused connection had read when it closed (the upstream's response bytes held for
      // a client that left, a request body held while its request waited) without releasing it (ClosedConnectionReads).
      assertThat(leaks.afterGc()).as("buffers leaked").isZero();
    }
  }

  private void clientsLeaveMidBody() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (Socket client = new Socket(RouterFixture.HOST, fixture.port)) {
        client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.getInputStream().readNBytes(64 * 1024 + i * 4096);
        // Closing with unread data resets the connection while the router is writing to it.
      }
    }
    // Echoes in flight on many connections when they all go, the way a load generator stops.
    byte[] post = ("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096))
        .getBytes(StandardCharsets.US_ASCII);
    List<Socket> leavers = new java.util.ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Socket client = new Socket(RouterFixture.HOST, fixture.port);
      leavers.add(client);
      for (int n = 0; n < 8; n++) {
        client.getOutputStream().write(post);
      }
    }
    for (Socket client : leavers) {
      client.setSoLinger(true, 0);
      client.close();
    }
    Eventually.await("every upstream request of the leavers ended", Duration.ofSeconds(5),
        () -> activeUpstreamRequests("slow") == 0);
    assertThat(fixture.unhandled).isEmpty();
    assertThat(send(HttpMethod.GET, "/status/200", null).status()).as("the router still answers").isEqualTo(200);
  }

  @Test
  void anH2cClusterIsSpokenToInHttp2() throws Exception {
    Reply headers = send(HttpMethod.GET, "/h2/headers", null);
    assertThat(headers.status()).isEqualTo(200);
    assertThat(headers.body().toJsonObject().getString("version")).isEqualTo("HTTP_2");

    Reply echo = send(HttpMethod.POST, "/h2/echo", "over two protocols");
    assertThat(echo.status()).isEqualTo(200);
    assertThat(echo.body().toString()).isEqualTo("over two protocols");
  }

  @Test
  void aRefusedStreamIsRetriedEvenForAPost() throws Exception {
    for (int i = 0; i < 4; i++) {
      // h2a refuses the stream, so whichever endpoint the balancer picks first, h2b answers. No body: one
      // already streamed to the refusing endpoint could not be sent again.
      Reply reply = send(HttpMethod.POST, "/h2/refuse/h2a", null);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body().toString()).isEqualTo("h2b");
    }
    JsonObject cluster = fixture.clusterStats("h2");
    assertThat(cluster.getLong("httpRefusedStreams")).isBetween(1L, 4L);
  }

  private long activeUpstreamRequests(String cluster) {
    try {
      return fixture.stats().getJsonArray("clusters").stream().map(JsonObject.class::cast)
          .filter(c -> c.getString("cluster").equals(cluster))
          .mapToLong(c -> c.getLong("activeConnections")).sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void eventBusTarget() throws Exception {
    Reply reply = send(HttpMethod.POST, "/bus", "hi");
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.header("x-svc")).isEqualTo("yes");
    assertThat(reply.text()).isEqualTo("POST /bus hi");
    assertThat(send(HttpMethod.GET, "/bus/none", null).status()).isEqualTo(503);
    assertThat(send(HttpMethod.GET, "/bus/slow", null).status()).isEqualTo(504);
  }
}
