package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * When the upstream fails (refuses the connect, closes without answering, or answers nothing until the timeout), the
 * router's own error answer leaves the client's keep-alive connection open wherever nginx and HAProxy, sent the same
 * bytes, both leave theirs open: a dead or hung endpoint must not cost every client its connection. When the upstream
 * fails mid-response (closes or resets after part of a body), the router closes the connection if it relayed the cut
 * response, as both peers do: kept, it would give the client the next answer as the rest of the cut one (it may also
 * lose the race to the upstream's reset and answer 502 itself, a whole answer after which it keeps the connection).
 * The same holds for an answer whose body ends with the connection (the upstream's has no length, or is chunked, and
 * an HTTP/1.0 client can take no chunks): kept, the client would wait for its end forever. An upstream that answers
 * whole in HTTP/1.0, with a close-delimited body or in chunks is no failure: it is there to check that the router
 * keeps what it can.
 * Statuses are not compared (502 or 503 are both fair).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamFailurePersistenceTest {

  /** The request shapes, each sent on a fresh connection and followed there by a GET. */
  private static final Map<String, String> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("GET", "GET %s HTTP/1.1\r\nHost: test\r\n\r\n");
    SHAPES.put("HEAD", "HEAD %s HTTP/1.1\r\nHost: test\r\n\r\n");
    SHAPES.put("POST with Content-Length", "POST %s HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
    SHAPES.put("POST with Content-Length: 0", "POST %s HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
    SHAPES.put("POST chunked", "POST %s HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n");
    SHAPES.put("HTTP/1.0 keep-alive GET", "GET %s HTTP/1.0\r\nHost: test\r\nConnection: keep-alive\r\n\r\n");
  }

  private static final long PEER_TIMEOUT_MILLIS = 2_000;
  /** How long every proxy waits for the silent upstream's answer (it answers nothing, then closes). */
  private static final long SILENT_TIMEOUT_MILLIS = 300;

  private RouterFixture fixture;
  private ScriptedBackend closing;
  /** Answers 404 to every request and keeps its connections. */
  private ScriptedBackend keeping;
  /** Answers each connection's first request and closes it at the next ({@code /once/x}). */
  private ScriptedBackend once;
  /** nginx and HAProxy in front of {@link #once}: not a case of {@link #compareWithPeers}. */
  private List<PeerProxy> oncePeers = List.of();
  /** As {@link #once}, for one test: no connection an earlier test left is in the router's pool for it. */
  private ScriptedBackend onceMore;
  /** HAProxy in front of {@link #onceMore}. */
  private PeerProxy onceMoreHaproxy;
  /** As {@link #onceMore}, for the HTTP/2 client's test. */
  private ScriptedBackend onceForH2;

  /** The fixture this class runs on: io_uring here, the byte-level HTTP/1 path (io_uring, epoll) in its subclasses. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  private final Map<String, List<PeerProxy>> peers = new LinkedHashMap<>();
  private Path work;

  @BeforeAll
  void start() throws Exception {
    PeerProxy.require("nginx");
    PeerProxy.require("haproxy");
    work = Files.createTempDirectory("ringway-failure-persistence");
    String cut = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten!!";
    // The closing backend's upstreams, each answering on /<name>/x behind a route of its own, in the cases' order.
    Map<String, ScriptedBackend.Script> scripted = new LinkedHashMap<>();
    scripted.put("closes", ScriptedBackend.bytesThenClose(""));
    scripted.put("cut", ScriptedBackend.bytesThenClose(cut));
    scripted.put("reset", ScriptedBackend.bytesThenReset(cut));
    scripted.put("eof", ScriptedBackend.bytesThenClose("HTTP/1.1 200 OK\r\n\r\nthe body ends with the connection"));
    scripted.put("http10", ScriptedBackend.bytesThenClose("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nfour"));
    // Closed after it too: the backend reads no request body, so the connection could not serve another request.
    scripted.put("chunked", ScriptedBackend.bytesThenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n0\r\n\r\n"));
    // A 304's head describes the body a GET would get: none follows it (RFC 9112 §6.3).
    scripted.put("notmodified", ScriptedBackend.bytesThenClose(
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"a\"\r\n\r\n"));
    scripted.put("nocontent", ScriptedBackend.bytesThenClose("HTTP/1.1 204 No Content\r\n\r\n"));
    closing = new ScriptedBackend().on("/silent/x", ScriptedBackend.sequence(
        ScriptedBackend.pause(3 * SILENT_TIMEOUT_MILLIS), ScriptedBackend.bytesThenClose("")));
    scripted.forEach((name, script) -> closing.on("/" + name + "/x", script));
    keeping = new ScriptedBackend();
    once = answeringOncePerConnection("/once/x");
    onceMore = answeringOncePerConnection("/oncemore/x");
    onceForH2 = answeringOncePerConnection("/onceh2/x");
    int refusing = Ports.freeTcpPort();
    fixture = newFixture();
    RoutePolicy noRetry = RoutePolicy.DEFAULTS.withRetries(0);
    List<RouteConfig> routes = new ArrayList<>();
    routes.add(new RouteConfig("refusing", RouteMatch.path(PathMatch.prefix("/refused/")),
        ForwardAction.to("refusing"), noRetry));
    for (String name : scripted.keySet()) {
      routes.add(new RouteConfig(name, RouteMatch.path(PathMatch.prefix("/" + name + "/")),
          ForwardAction.to("closing"), noRetry));
    }
    routes.add(new RouteConfig("kept", RouteMatch.path(PathMatch.prefix("/kept/")), ForwardAction.to("keeping"),
        noRetry));
    // Each of the answering-once backends behind a route and cluster of its own name.
    for (String name : List.of("once", "oncemore", "onceh2")) {
      routes.add(new RouteConfig(name, RouteMatch.path(PathMatch.prefix("/" + name + "/")), ForwardAction.to(name),
          noRetry));
    }
    routes.add(new RouteConfig("silent", RouteMatch.path(PathMatch.prefix("/silent/")), ForwardAction.to("closing"),
        noRetry.withTimeout(Duration.ofMillis(SILENT_TIMEOUT_MILLIS))));
    fixture.start(List.of(
            ClusterConfig.of("refusing", List.of(Endpoint.of(RouterFixture.HOST, refusing))).withOutlierDetection(null),
            ClusterConfig.of("closing", List.of(closing.endpoint())).withOutlierDetection(null),
            ClusterConfig.of("keeping", List.of(keeping.endpoint())).withOutlierDetection(null),
            ClusterConfig.of("once", List.of(once.endpoint())).withOutlierDetection(null),
            ClusterConfig.of("oncemore", List.of(onceMore.endpoint())).withOutlierDetection(null),
            ClusterConfig.of("onceh2", List.of(onceForH2.endpoint())).withOutlierDetection(null)),
        routes);
    // HAProxy without connect retries: with them, each refused connect waits three seconds.
    peers.put("refused", List.of(PeerProxy.nginx(refusing, PEER_TIMEOUT_MILLIS, work.resolve("refused")),
        PeerProxy.haproxy(refusing, PEER_TIMEOUT_MILLIS, work.resolve("refused"), 0)));
    int closingPort = closing.endpoint().port();
    // The same backend answers by path.
    List<PeerProxy> closingPeers = List.of(PeerProxy.nginx(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("closes")),
        PeerProxy.haproxy(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("closes"), 0));
    scripted.keySet().forEach(name -> peers.put(name, closingPeers));
    oncePeers = List.of(PeerProxy.nginx(once.endpoint().port(), PEER_TIMEOUT_MILLIS, work.resolve("once")),
        PeerProxy.haproxy(once.endpoint().port(), PEER_TIMEOUT_MILLIS, work.resolve("once"), 0));
    onceMoreHaproxy = PeerProxy.haproxy(onceMore.endpoint().port(), PEER_TIMEOUT_MILLIS, work.resolve("oncemore"), 0);
    peers.put("silent", List.of(
        PeerProxy.nginx(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("silent"), SILENT_TIMEOUT_MILLIS),
        PeerProxy.haproxy(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("silent"), 0, SILENT_TIMEOUT_MILLIS)));
  }

  /** A backend that answers each connection's first request on {@code path} 200 and closes it at the next. */
  private static ScriptedBackend answeringOncePerConnection(String path) throws IOException {
    return new ScriptedBackend().on(path, ScriptedBackend.onceThenCloseAtTheNext(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  }

  @AfterAll
  void stop() throws Exception {
    Set<List<PeerProxy>> pairs = new LinkedHashSet<>(peers.values());
    pairs.add(oncePeers);
    for (List<PeerProxy> pair : pairs) {
      for (PeerProxy peer : pair) {
        peer.close();
      }
    }
    // Null where start() failed before it.
    for (AutoCloseable started : Arrays.asList(onceMoreHaproxy, closing, keeping, once, onceMore, onceForH2, fixture)) {
      if (started != null) {
        started.close();
      }
    }
  }

  @Test
  void theClientConnectionStaysOpenOrClosesAsBothPeersDo() throws Exception {
    compareWithPeers(false);
  }

  /**
   * The same with the GET pipelined behind the failing request, in one write: a request already read when the
   * error answer goes out is answered, or the connection closes, as both peers do; never lost on an open connection.
   */
  @Test
  void aPipelinedRequestBehindTheFailingOneIsAnsweredOrClosedAsBothPeersDo() throws Exception {
    compareWithPeers(true);
  }

  /**
   * A request pipelined behind an answer that ends with the connection (an HTTP/1.0 client, a body without a length)
   * is not forwarded: the connection closes once that answer is out, and the upstream would act on a request whose
   * answer no one reads (its client, seeing the close, may send it again).
   */
  @Test
  void aRequestPipelinedBehindAnAnswerThatEndsWithTheConnectionIsNeverForwarded() throws Exception {
    // An upstream connection kept from an earlier request would take the pipelined request at once: a new one would
    // lose the race to the client connection's close. HTTP/1.0, so that the decoding path's pool keeps it: that path
    // takes the pipelined request on either fixture.
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      assertThat(client.send("GET /kept/warm HTTP/1.0\r\nHost: test\r\nConnection: keep-alive\r\n\r\n").status())
          .isEqualTo(404);
    }
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      client.write("GET /eof/x HTTP/1.0\r\nHost: test\r\nConnection: keep-alive\r\n\r\n"
          + "POST /kept/pipelined HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
      RawKeepAlive.Response answer = client.read();
      assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
      assertThat(answer.body()).isEqualTo("the body ends with the connection");
      assertThat(client.closedByServer()).as("closed after the answer").isTrue();
    }
    // Long enough for a request the router took to reach the upstream (under a millisecond here).
    Thread.sleep(200);
    assertThat(keeping.requests).containsExactly("GET /kept/warm HTTP/1.1");
  }

  /**
   * An idle pooled upstream connection may be closing as the next request goes out on it (the upstream's keep-alive
   * timeout, or its close after an answer that did not announce it): the request fails with no answer, maybe read. A
   * client connection's first request that the router may not send again (a POST: RFC 9110 §9.2.2) goes on a new
   * connection, as nginx (no upstream keep-alive) and HAProxy ({@code http-reuse safe}) send theirs: it is answered,
   * and reaches the upstream once. Before, the decoding path answered 502 and the byte-level path sent the POST twice
   * (once on the closing connection, again on a new one). A later POST on the same client connection takes a pooled
   * connection, and when that one is closing, it is never sent twice (the byte-level path sent it again; see
   * {@link #aLaterRequestWhosePooledConnectionEndedUnansweredIsLeftToTheClientToRetry} for its answer).
   */
  @Test
  void aFirstRequestThatCannotBeSentAgainDoesNotGoOnAnIdleConnectionThatMayBeClosing() throws Exception {
    List<PeerProxy> pair = oncePeers;
    String[] names = {"nginx", "HAProxy", "Ringway"};
    int[] ports = {pair.get(0).port, pair.get(1).port, fixture.port};
    String post = "POST /once/x HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n";
    List<String> report = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      // An upstream connection kept idle: the router's pool has one now (the peers keep none).
      try (RawKeepAlive client = new RawKeepAlive(ports[i])) {
        assertThat(client.send("GET /once/x HTTP/1.1\r\nHost: test\r\n\r\n").status()).as(names[i]).isEqualTo(200);
      }
      try (RawKeepAlive client = new RawKeepAlive(ports[i])) {
        int before = once.requests.size();
        RawKeepAlive.Response first = client.send(post);
        List<String> seen = List.copyOf(once.requests.subList(before, once.requests.size()));
        report.add(names[i] + ": first POST " + first.head().lines().findFirst().orElse("nothing") + ", upstream saw "
            + seen.size());
        assertThat(first.status()).as("%s answers the POST: %s", names[i], report).isEqualTo(200);
        assertThat(seen).as("%s sends the POST upstream once: %s", names[i], report)
            .containsExactly("POST /once/x HTTP/1.1");
        before = once.requests.size();
        RawKeepAlive.Response later = client.send(post);
        // The request reached the upstream before the answer left the proxy, if it did at all.
        int sent = once.requests.size() - before;
        report.add(names[i] + ": second POST " + later.head().lines().findFirst().orElse("nothing")
            + ", upstream saw " + sent);
        if (i == 2) {
          assertThat(sent).as("the later POST reaches the upstream at most once: %s", report).isLessThanOrEqualTo(1);
        }
      }
    }
    System.out.println("[first request]\n  " + String.join("\n  ", report));
    assertThat(fixture.clusterStats("once").getLong("httpNewConnectionRequests")).as("counted").isEqualTo(1);
    // A keep-alive client's later POSTs take pooled connections: one new connection for its first, at most.
    int connections = keeping.connections.get();
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      for (int i = 0; i < 5; i++) {
        assertThat(client.send("POST /kept/x HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n").status())
            .isEqualTo(404);
      }
    }
    assertThat(keeping.connections.get() - connections).as("upstream connections for five POSTs on one connection")
        .isLessThanOrEqualTo(2);
  }

  /**
   * A later request on a client's keep-alive connection that the router may not send again (a POST), whose pooled
   * upstream connection ends before any byte of an answer (the upstream closed it as the request went out), ends as
   * the same failure ends for a client talking to the upstream itself: its connection closes unanswered, and the client
   * retries by its own rules, which know whether the request may go twice (a browser, curl and Go's client retry on a
   * reused connection that closed unanswered; none retries a 502). HAProxy does the same ({@code abort_keep_alive}); the
   * router answered 502 before the thirty-second session, so the request was lost. nginx answers 502: not compared. The
   * client's retry, the first request of a new connection, goes on a new upstream connection and is answered.
   */
  @Test
  void aLaterRequestWhosePooledConnectionEndedUnansweredIsLeftToTheClientToRetry() throws Exception {
    String post = "POST /oncemore/x HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello";
    String[] names = {"HAProxy", "Ringway"};
    int[] ports = {onceMoreHaproxy.port, fixture.port};
    for (int i = 0; i < ports.length; i++) {
      try (RawKeepAlive client = new RawKeepAlive(ports[i])) {
        // Answered on a new upstream connection that HAProxy keeps for this client and the router pools: the POST
        // takes it, and the upstream closes it then.
        assertThat(client.get("/oncemore/x").status()).as(names[i]).isEqualTo(200);
        int before = onceMore.requests.size();
        RawKeepAlive.Response later = client.send(post);
        assertThat(later.head()).as("%s: no answer to the later POST", names[i]).isEmpty();
        assertThat(client.closedByServer()).as("%s: closed", names[i]).isTrue();
        assertThat(onceMore.requests.subList(before, onceMore.requests.size())).as("%s: the POST went up once",
            names[i]).containsExactly("POST /oncemore/x HTTP/1.1");
      }
      try (RawKeepAlive retry = new RawKeepAlive(ports[i])) {
        assertThat(retry.send(post).status()).as("%s: the client's retry", names[i]).isEqualTo(200);
      }
    }
    assertThat(fixture.clusterStats("oncemore").getLong("httpLeftToClientRetry")).as("counted").isEqualTo(1);
  }

  /**
   * The same for an HTTP/2 client (h2c): its stream is refused (RST_STREAM REFUSED_STREAM, RFC 9113 §8.7), which an
   * HTTP/2 client retries (curl, browsers and Go's client do), where the router answered 502 before the thirty-second
   * session. HAProxy 2.6 refuses the stream too for the same bytes (checked by hand behind {@code bind ... proto h2},
   * for a connection's first stream as well as a later one; {@code PeerProxy} has no h2 listener). The retry, on a new
   * stream, goes on a new upstream connection and is answered.
   */
  @Test
  void anHttp2StreamWhosePooledConnectionEndedUnansweredIsRefused() throws Exception {
    try (RawH2 client = new RawH2(fixture.port)) {
      // Answered on a new upstream connection the router pools; the POST takes it, and the upstream closes it then.
      client.get(1, client.pathBlock("/onceh2/x"));
      client.frames(1);
      assertThat(client.lastHeaders.status()).hasToString("200");
      int before = onceForH2.requests.size();
      post(client, 3);
      List<RawH2.Frame> frames = client.frames(3);
      RawH2.Frame last = frames.getLast();
      assertThat(last.type()).as("frames of the POST's stream: %s", frames).isEqualTo(RawH2.TYPE_RST_STREAM);
      assertThat(last.errorCode()).as("REFUSED_STREAM").isEqualTo(0x7);
      assertThat(onceForH2.requests.subList(before, onceForH2.requests.size())).as("the POST went up once")
          .containsExactly("POST /onceh2/x HTTP/1.1");
      post(client, 5);
      client.frames(5);
      assertThat(client.lastHeaders.status()).as("the client's retry").hasToString("200");
    }
    assertThat(fixture.clusterStats("onceh2").getLong("httpLeftToClientRetry")).as("counted").isEqualTo(1);
  }

  private static void post(RawH2 client, int stream) throws IOException {
    java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
    block.write(0x83);
    block.write(0x86);
    RawH2.literal(block, ":authority", "test");
    RawH2.literal(block, ":path", "/onceh2/x");
    RawH2.literal(block, "content-length", "5");
    client.headers(stream, RawH2.FLAG_END_HEADERS, block.toByteArray());
    client.data(stream, RawH2.FLAG_END_STREAM, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /**
   * A request the router may send again that meets a closing idle pooled connection (closed before any byte of answer)
   * goes again on a new connection to the same endpoint, once, outside the route's tries: a cluster of one endpoint
   * (a Kubernetes Service, say) has no other to retry on, and the route here allows no retry at all. The byte-level
   * path did so already; the decoding path answered 502 ("Connection was closed").
   */
  @Test
  void aRequestThatMayBeSentAgainGoesOnANewConnectionWhenThePooledOneWasClosing() throws Exception {
    String get = "GET /once/x HTTP/1.1\r\nHost: test\r\n\r\n";
    // Leaves a connection that answered once in the pool, whatever the pool held before.
    try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
      client.send(get);
    }
    for (String request : List.of(get, "PUT /once/x HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi")) {
      try (RawKeepAlive client = new RawKeepAlive(fixture.port)) {
        int before = once.requests.size();
        RawKeepAlive.Response answer = client.send(request);
        assertThat(answer.status()).as("%s: upstream saw %s", request.lines().findFirst().orElseThrow(),
            once.requests.subList(before, once.requests.size())).isEqualTo(200);
      }
    }
  }

  /**
   * An upstream may answer before it read the request's body, and close (a 413, a 204); a client sending a body watches
   * for such an answer (RFC 9112 §9.5). Its answer reaches the client, as nginx's and HAProxy's do, whichever comes
   * first at the router: the answer, or the failure of its write of the body to the closed connection. The kernel
   * loses the race now and then for all three (the upstream's close with the body unread resets the connection, and
   * nginx and HAProxy missed up to 4 in 50 at times), so the router's misses are compared with the peers' over many
   * rounds per shape: until the twenty-ninth session it missed up to a third of them in some shapes (a failed write
   * closed the connection with the answer unread), now about as few as the peers. The old code failed it in both runs
   * tried (15 and 16 misses of 50 beside the peers' 0), but its rate varied from run to run: a guard, not a proof. On
   * epoll it went on missing up to 9 in 50 until the thirtieth session: the upstream answers without announcing its
   * close, and its pooled connection was taken for the next round's request before the close was seen (see
   * {@link #aFirstRequestThatCannotBeSentAgainDoesNotGoOnAnIdleConnectionThatMayBeClosing}).
   */
  @Test
  void anAnswerSentBeforeTheBodyWasReadIsRelayedAsBothPeersRelayIt() throws Exception {
    String large = "a".repeat(100_000);
    Map<String, String> shapes = new LinkedHashMap<>();
    shapes.put("small chunked body", SHAPES.get("POST chunked"));
    shapes.put("small body", SHAPES.get("POST with Content-Length"));
    shapes.put("100 KB body", "POST %s HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n" + large);
    shapes.put("100 KB chunked body", "POST %s HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "186a0\r\n" + large + "\r\n0\r\n\r\n");
    List<PeerProxy> pair = peers.get("nocontent");
    List<String> report = new ArrayList<>();
    List<String> missedMore = new ArrayList<>();
    for (Map.Entry<String, String> shape : shapes.entrySet()) {
      String request = shape.getValue().formatted("/nocontent/x");
      int[] ports = {pair.get(0).port, pair.get(1).port, fixture.port};
      List<Map<String, Integer>> seen = new ArrayList<>();
      int[] misses = new int[ports.length];
      for (int i = 0; i < ports.length; i++) {
        Map<String, Integer> answers = statuses(ports[i], request);
        misses[i] = EARLY_ANSWER_ROUNDS - answers.getOrDefault("204", 0);
        seen.add(answers);
      }
      report.add(shape.getKey() + " — nginx " + seen.get(0) + ", HAProxy " + seen.get(1) + ", Ringway "
          + seen.get(2));
      if (misses[2] > Math.max(misses[0], misses[1]) + EARLY_ANSWER_SLACK) {
        missedMore.add(shape.getKey());
      }
    }
    System.out.println("[early answer]\n  " + String.join("\n  ", report));
    assertThat(missedMore).as("the upstream's answer missed by the router more than %s times beyond the peers' misses"
        + ", of %s:\n  %s", EARLY_ANSWER_SLACK, EARLY_ANSWER_ROUNDS, String.join("\n  ", report)).isEmpty();
  }

  /** How often the race of an early answer is run per request shape and proxy. */
  private static final int EARLY_ANSWER_ROUNDS = 50;
  /**
   * Misses the router may have beyond the peers' in one shape: at most 1 in 20 since (and 0 in 30 on a quiet machine),
   * 4 in 20 to 11 in 30 before in the worst shape (a 100 KB body on the byte-level path).
   */
  private static final int EARLY_ANSWER_SLACK = 6;

  /** The answers to {@code request} sent {@link #EARLY_ANSWER_ROUNDS} times: 204, or the status and first line. */
  private static Map<String, Integer> statuses(int port, String request) throws IOException {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < EARLY_ANSWER_ROUNDS; i++) {
      try (RawKeepAlive client = new RawKeepAlive(port)) {
        RawKeepAlive.Response answer = client.send(request);
        String key = answer.head().isEmpty() ? "nothing" : answer.status() == 204 ? "204"
            : answer.status() + " " + answer.body().lines().findFirst().orElse("");
        seen.merge(key, 1, Integer::sum);
      }
    }
    return seen;
  }

  private void compareWithPeers(boolean pipelined) throws Exception {
    List<String> closedWherePeersKept = new ArrayList<>();
    List<String> outOfStep = new ArrayList<>();
    List<String> report = new ArrayList<>();
    for (Map.Entry<String, List<PeerProxy>> scenario : peers.entrySet()) {
      String path = "/" + scenario.getKey() + "/x";
      for (Map.Entry<String, String> shape : SHAPES.entrySet()) {
        String request = shape.getValue().formatted(path);
        boolean head = shape.getKey().startsWith("HEAD");
        Outcome nginx = exchange(scenario.getValue().get(0).port, request, head, pipelined);
        Outcome haproxy = exchange(scenario.getValue().get(1).port, request, head, pipelined);
        Outcome ringway = exchange(fixture.port, request, head, pipelined);
        String name = scenario.getKey() + ": " + shape.getKey();
        report.add(name + " — nginx " + nginx + ", HAProxy " + haproxy + ", Ringway " + ringway);
        assertThat(ringway.status).as("%s: the router answers", name).isPositive();
        if (nginx.kept && haproxy.kept && !ringway.kept) {
          closedWherePeersKept.add(name);
        }
        if (ringway.spliced || (ringway.cut || ringway.unframed) && ringway.kept) {
          outOfStep.add(name);
        }
      }
    }
    System.out.println("[failure persistence" + (pipelined ? ", pipelined" : "") + "]\n  "
        + String.join("\n  ", report));
    assertThat(closedWherePeersKept).as("closed by the router where nginx and HAProxy kept the connection:\n  %s",
        String.join("\n  ", report)).isEmpty();
    assertThat(outOfStep).as(
        "out of step: a next answer read as part of one (SPLICED), or the connection kept after a cut answer or one"
            + " that ends with the connection:\n  %s",
        String.join("\n  ", report)).isEmpty();
  }

  /**
   * What a proxy answered, whether its body was cut short, whether the next answer came as part of it, whether it had
   * no framing (its body ends with the connection), and whether a GET on the same connection was answered.
   */
  private record Outcome(int status, boolean cut, boolean spliced, boolean unframed, boolean kept) {
    @Override
    public String toString() {
      return status + (cut ? " cut" : "") + (spliced ? " SPLICED" : "") + (unframed ? " unframed" : "")
          + (kept ? " kept" : " closed");
    }
  }

  private static Outcome exchange(int port, String request, boolean head, boolean pipelined) throws IOException {
    String next = "GET /next HTTP/1.1\r\nHost: test\r\n\r\n";
    try (RawKeepAlive client = new RawKeepAlive(port)) {
      client.write(pipelined ? request + next : request);
      RawKeepAlive.Response answer = head ? client.readHead() : client.read();
      if (answer.head().isEmpty()) {
        return new Outcome(0, false, false, false, false);
      }
      boolean kept;
      try {
        if (!pipelined) {
          client.write(next);
        }
        kept = !client.read().head().isEmpty();
      } catch (IOException closed) {
        kept = false;
      }
      // No upstream body here holds a status line: one in the answer's body is the next answer, read as its rest.
      boolean spliced = answer.body().contains("HTTP/1.1 ");
      boolean unframed = !head && answer.header("content-length") == null
          && !"chunked".equalsIgnoreCase(answer.header("transfer-encoding")) && answer.status() != 204
          && answer.status() != 304;
      return new Outcome(answer.status(), answer.cutOff(), spliced, unframed, kept);
    }
  }
}
