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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

  /** The fixture this class runs on: io_uring here, the byte-level HTTP/1 path in its subclass. */
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
    closing = new ScriptedBackend().on("/closes/x", ScriptedBackend.bytesThenClose(""))
        .on("/cut/x", ScriptedBackend.bytesThenClose(cut))
        .on("/reset/x", ScriptedBackend.bytesThenReset(cut))
        .on("/silent/x", ScriptedBackend.sequence(ScriptedBackend.pause(3 * SILENT_TIMEOUT_MILLIS),
            ScriptedBackend.bytesThenClose("")));
    int refusing = Ports.freeTcpPort();
    fixture = newFixture();
    RoutePolicy once = RoutePolicy.DEFAULTS.withRetries(0);
    fixture.start(List.of(
            ClusterConfig.of("refusing", List.of(Endpoint.of(RouterFixture.HOST, refusing))).withOutlierDetection(null),
            ClusterConfig.of("closing", List.of(closing.endpoint())).withOutlierDetection(null)),
        List.of(
            new RouteConfig("refusing", RouteMatch.path(PathMatch.prefix("/refused/")), ForwardAction.to("refusing"),
                once),
            new RouteConfig("closing", RouteMatch.path(PathMatch.prefix("/closes/")), ForwardAction.to("closing"),
                once),
            new RouteConfig("cut", RouteMatch.path(PathMatch.prefix("/cut/")), ForwardAction.to("closing"), once),
            new RouteConfig("reset", RouteMatch.path(PathMatch.prefix("/reset/")), ForwardAction.to("closing"),
                once),
            new RouteConfig("silent", RouteMatch.path(PathMatch.prefix("/silent/")), ForwardAction.to("closing"),
                once.withTimeout(Duration.ofMillis(SILENT_TIMEOUT_MILLIS)))));
    // HAProxy without connect retries: with them, each refused connect waits three seconds.
    peers.put("refused", List.of(PeerProxy.nginx(refusing, PEER_TIMEOUT_MILLIS, work.resolve("refused")),
        PeerProxy.haproxy(refusing, PEER_TIMEOUT_MILLIS, work.resolve("refused"), 0)));
    int closingPort = closing.endpoint().port();
    peers.put("closes", List.of(PeerProxy.nginx(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("closes")),
        PeerProxy.haproxy(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("closes"), 0)));
    // The same backend answers by path.
    peers.put("cut", peers.get("closes"));
    peers.put("reset", peers.get("closes"));
    peers.put("silent", List.of(
        PeerProxy.nginx(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("silent"), SILENT_TIMEOUT_MILLIS),
        PeerProxy.haproxy(closingPort, PEER_TIMEOUT_MILLIS, work.resolve("silent"), 0, SILENT_TIMEOUT_MILLIS)));
  }

  @AfterAll
  void stop() throws Exception {
    for (List<PeerProxy> pair : new LinkedHashSet<>(peers.values())) {
      for (PeerProxy peer : pair) {
        peer.close();
      }
    }
    if (closing != null) {
      closing.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void theClientConnectionStaysOpenOrClosesAsBothPeersDo() throws Exception {
    List<String> closedWherePeersKept = new ArrayList<>();
    List<String> keptAfterACutAnswer = new ArrayList<>();
    List<String> report = new ArrayList<>();
    for (Map.Entry<String, List<PeerProxy>> scenario : peers.entrySet()) {
      String path = "/" + scenario.getKey() + "/x";
      for (Map.Entry<String, String> shape : SHAPES.entrySet()) {
        String request = shape.getValue().formatted(path);
        boolean head = shape.getKey().startsWith("HEAD");
        Outcome nginx = exchange(scenario.getValue().get(0).port, request, head);
        Outcome haproxy = exchange(scenario.getValue().get(1).port, request, head);
        Outcome ringway = exchange(fixture.port, request, head);
        String name = scenario.getKey() + ": " + shape.getKey();
        report.add(name + " — nginx " + nginx + ", HAProxy " + haproxy + ", Ringway " + ringway);
        assertThat(ringway.status).as("%s: the router answers", name).isPositive();
        if (nginx.kept && haproxy.kept && !ringway.kept) {
          closedWherePeersKept.add(name);
        }
        if (ringway.cut && ringway.kept) {
          keptAfterACutAnswer.add(name);
        }
      }
    }
    System.out.println("[failure persistence]\n  " + String.join("\n  ", report));
    assertThat(closedWherePeersKept).as("closed by the router where nginx and HAProxy kept the connection:\n  %s",
        String.join("\n  ", report)).isEmpty();
    assertThat(keptAfterACutAnswer).as("kept by the router after relaying a cut answer:\n  %s",
        String.join("\n  ", report)).isEmpty();
  }

  /** What a proxy answered, whether its body was cut short, and whether a GET on the same connection was answered. */
  private record Outcome(int status, boolean cut, boolean kept) {
    @Override
    public String toString() {
      return status + (cut ? " cut" : "") + (kept ? " kept" : " closed");
    }
  }

  private static Outcome exchange(int port, String request, boolean head) throws IOException {
    try (RawKeepAlive client = new RawKeepAlive(port)) {
      RawKeepAlive.Response answer = head ? client.sendHead(request) : client.send(request);
      if (answer.head().isEmpty()) {
        return new Outcome(0, false, false);
      }
      boolean kept;
      try {
        RawKeepAlive.Response next = client.get("/next");
        kept = !next.head().isEmpty();
      } catch (IOException closed) {
        kept = false;
      }
      return new Outcome(answer.status(), answer.cutOff(), kept);
    }
  }
}
