package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HeaderRewrite;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The access log file and the per-route / per-cluster stats answered on ringway.stats.collect, on io_uring. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {

  /** The fixture this class runs on: io_uring here, the byte-level HTTP/1 path in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  private RouterFixture fixture;
  private Backend backend;
  private Path log;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    log = dir.resolve("access.log");
    fixture.accessLog = new AccessLogConfig(log.toString(),
        "{method} {uri} {protocol} {status} {bytes} {route} {upstream} {requestId}", 1024);
    fixture.start(1, RouterFixture.listener(Ports.freeTcpPort()), List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("api", RouteMatch.path(PathMatch.prefix("/api/")), ForwardAction.to("b")),
            new RouteConfig("status", RouteMatch.path(PathMatch.prefix("/status/")), ForwardAction.to("b")),
            idRoute("ids", HeaderRewrite.NONE),
            idRoute("ids-set", new HeaderRewrite(Map.of("X-Request-Id", "from-the-route"), List.of())),
            idRoute("ids-removed", new HeaderRewrite(Map.of(), List.of("X-REQUEST-ID")))));
  }

  /** A route from /NAME/ to the backend's /, which answers /headers with the headers it got. */
  private static RouteConfig idRoute(String name, HeaderRewrite requestHeaders) {
    return new RouteConfig(name, RouteMatch.path(PathMatch.prefix("/" + name + "/")),
        new ForwardAction(List.of(new WeightedCluster("b", 1)), "/", null),
        RoutePolicy.DEFAULTS.withHeaders(requestHeaders, HeaderRewrite.NONE));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  private Reply get(String uri, String requestId) throws Exception {
    RequestOptions options = new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port).setURI(uri)
        .setMethod(HttpMethod.GET);
    if (requestId != null) {
      options.putHeader("x-request-id", requestId);
    }
    return Reply.send(fixture.context, fixture.client, options, null);
  }

  /**
   * A client's bytes are escaped as nginx escapes them: a quote, a backslash and bytes outside printable ASCII as
   * {@code \xHH}. Before, a quote went in as it was (a user agent or request id could end a quoted field of the
   * template early and forge the rest of the line), and bytes above 0x7E unescaped.
   */
  @Test
  void aClientsBytesAreEscapedInTheLine() throws Exception {
    int before = lines().size();
    String response = RawHttp.exchange(fixture.port, "GET /api/escaped HTTP/1.1\r\nHost: h\r\n"
        + "x-request-id: a\" 500 0 \"b\\c\u00e9\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ");
    Eventually.await("a line in " + log, Duration.ofSeconds(5), () -> lines().size() >= before + 1);
    assertThat(lines().get(before)).startsWith("GET /api/escaped HTTP/1.1 200 ")
        .endsWith(" a\\x22 500 0 \\x22b\\x5Cc\\xE9");
  }

  @Test
  void everyAnsweredRequestIsOneLineInTheFile() throws Exception {
    int before = lines().size();
    get("/api/one?x=1", "req-1");
    get("/nowhere", "req-2");
    get("/api/two", null);
    String upstream = RouterFixture.HOST + ":" + backend.port;
    Eventually.await("three lines in " + log, Duration.ofSeconds(5), () -> lines().size() >= before + 3);
    List<String> lines = lines().subList(before, before + 3);
    assertThat(lines.get(0)).isEqualTo("GET /api/one?x=1 HTTP/1.1 200 1 api " + upstream + " req-1");
    assertThat(lines.get(1)).isEqualTo("GET /nowhere HTTP/1.1 404 9 - - req-2");
    // No id from the client: the one the router generated and sent upstream.
    assertThat(lines.get(2)).matches("GET /api/two HTTP/1.1 200 1 api " + upstream.replace(".", "\\.")
        + " [0-9a-f-]{36}");
    JsonObject accessLog = fixture.stats().getJsonObject("accessLog");
    assertThat(accessLog.getLong("logged")).isGreaterThanOrEqualTo(before + 3L);
    assertThat(accessLog.getLong("dropped")).isZero();
  }

  @Test
  void theRequestIdLoggedIsTheOneTheUpstreamGot() throws Exception {
    Predicate<String> ids = line -> line.contains(" /ids");
    int before = lines(ids).size();
    List<String> sent = new ArrayList<>();
    for (String[] request : new String[][] {{"/ids/headers", null, null}, {"/ids/headers", "client-1", null},
        {"/ids/headers", "client-2", "x-request-id"}, {"/ids-set/headers", "client-3", null},
        {"/ids-removed/headers", "client-4", null}, {"/ids-removed/headers", null, null}}) {
      RequestOptions options = new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
          .setURI(request[0]);
      if (request[1] != null) {
        options.putHeader("x-request-id", request[1]);
      }
      if (request[2] != null) {
        // Named by Connection, the client's id is hop-by-hop: dropped, and a new one made.
        options.putHeader("connection", "keep-alive, " + request[2]);
      }
      Reply reply = Reply.send(fixture.context, fixture.client, options, null);
      assertThat(reply.status()).isEqualTo(200);
      String seen = new JsonObject(reply.text()).getString("x-request-id");
      sent.add(seen == null ? "-" : seen);
    }
    Eventually.await("six lines in " + log, Duration.ofSeconds(5), () -> lines(ids).size() >= before + 6);

    assertThat(sent.get(0)).matches("[0-9a-f-]{36}");
    assertThat(sent.subList(1, 6)).containsExactly("client-1", sent.get(2), "from-the-route", "-", "-");
    assertThat(sent.get(2)).matches("[0-9a-f-]{36}").isNotEqualTo(sent.get(0));
    List<String> logged = lines(ids).subList(before, before + 6).stream()
        .map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
    assertThat(logged).containsExactlyElementsOf(sent);
  }

  @Test
  void aRequestRefusedBeforeRoutingIsLoggedToo() throws Exception {
    int before = lines().size();
    int seenBefore = backend.seen.get();
    String reply = RawHttp.exchange(fixture.port, "POST /api/smuggle HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    assertThat(reply).startsWith("HTTP/1.1 400");

    Eventually.await("a line for the refused request", Duration.ofSeconds(5), () -> lines().size() > before);
    assertThat(lines().get(before)).startsWith("POST /api/smuggle HTTP/1.1 400 0 - - ");
    assertThat(backend.seen).as("refused, never forwarded").hasValue(seenBefore);
  }

  @Test
  void routesAndClustersCountStatusClassesAndLatency() throws Exception {
    for (String status : List.of("200", "201", "404", "503", "500")) {
      get("/status/" + status, null);
    }
    JsonObject stats = fixture.stats();
    JsonObject route = find(stats.getJsonArray("routes"), "route", "status");
    assertThat(route.getLong("requests")).isEqualTo(5L);
    assertThat(route.getLong("2xx")).isEqualTo(2L);
    assertThat(route.getLong("4xx")).isEqualTo(1L);
    assertThat(route.getLong("5xx")).isEqualTo(2L);
    assertThat(histogramTotal(route)).isEqualTo(5L);

    JsonObject responses = find(stats.getJsonArray("clusters"), "cluster", "b").getJsonObject("httpResponses");
    assertThat(responses.getLong("2xx")).isGreaterThanOrEqualTo(2L);
    // The upstream's 503 was retried and the router answered the last one itself: only the 500 was relayed.
    assertThat(responses.getLong("5xx")).isGreaterThanOrEqualTo(1L);
    assertThat(histogramTotal(responses)).isEqualTo(responses.getLong("1xx") + responses.getLong("2xx")
        + responses.getLong("3xx") + responses.getLong("4xx") + responses.getLong("5xx"));
  }

  private static long histogramTotal(JsonObject counters) {
    return counters.getJsonArray("latencyMs").stream().mapToLong(b -> ((JsonObject) b).getLong("count")).sum();
  }

  private static JsonObject find(JsonArray array, String key, String name) {
    return array.stream().map(JsonObject.class::cast).filter(o -> name.equals(o.getString(key))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " " + name + " in " + array));
  }

  /** The lines of this test's requests: the other test logs to the same file. */
  private List<String> lines() {
    return lines(line -> line.contains(" /api/") || line.contains(" /nowhere "));
  }

  private List<String> lines(Predicate<String> which) {
    try {
      return !Files.exists(log) ? List.of() : Files.readAllLines(log).stream().filter(which).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
