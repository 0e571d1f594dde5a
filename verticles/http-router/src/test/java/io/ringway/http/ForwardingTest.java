package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.demo.DemoUpstreamVerticle;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.FieldMatch;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HeaderRewrite;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RedirectAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forwarding and local actions end to end, on io_uring, on epoll, and through the byte-level HTTP/1 path. */
class ForwardingTest {

  private RouterFixture fixture;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private void start(String transport) throws Exception {
    fixture = RouterFixture.of(transport);
    int demoPort = Ports.freeTcpPort();
    DemoUpstreamConfig demo = new DemoUpstreamConfig(RouterFixture.HOST, demoPort, Ports.freeTcpPort(), "demo");
    fixture.vertx.deployVerticle(() -> new DemoUpstreamVerticle(demo), new io.vertx.core.DeploymentOptions())
        .await(10, TimeUnit.SECONDS);
    Backend a = new Backend(fixture.vertx, "a");
    Backend b = new Backend(fixture.vertx, "b");
    List<ClusterConfig> clusters = List.of(ClusterConfig.of("demo", List.of(Endpoint.of(RouterFixture.HOST, demoPort))),
        ClusterConfig.of("a", List.of(a.endpoint())), ClusterConfig.of("b", List.of(b.endpoint())));
    List<RouteConfig> routes = List.of(
        new RouteConfig("direct", RouteMatch.path(PathMatch.exact("/ping")), new DirectResponseAction(200, "pong", null)),
        new RouteConfig("redirect", RouteMatch.path(PathMatch.exact("/old")),
            new RedirectAction(301, "https", "new.example.com", "/new")),
        new RouteConfig("canary", RouteMatch.path(PathMatch.exact("/canary")),
            new ForwardAction(List.of(new WeightedCluster("a", 1), new WeightedCluster("b", 1)), null, null)),
        new RouteConfig("rewrite", RouteMatch.path(PathMatch.prefix("/svc/")),
            new ForwardAction(List.of(new WeightedCluster("a", 1)), "/headers/", "backend.internal"),
            RoutePolicy.DEFAULTS.withHeaders(new HeaderRewrite(Map.of("x-added", "yes"), List.of("x-secret")),
                new HeaderRewrite(Map.of("x-resp", "1"), List.of("x-drop-me")))),
        new RouteConfig("nothing", RouteMatch.path(PathMatch.exact("/nothing")),
            new DirectResponseAction(204, null, null)),
        new RouteConfig("debug-query", new RouteMatch(List.of(), PathMatch.exact("/q"), List.of(), List.of(),
            List.of(FieldMatch.exact("debug", "1"))), ForwardAction.to("a")),
        new RouteConfig("plain-query", RouteMatch.path(PathMatch.exact("/q")), ForwardAction.to("b")),
        new RouteConfig("demo", new RouteMatch(List.of(), PathMatch.prefix("/"), List.of("GET", "POST"), List.of(),
            List.of()), ForwardAction.to("demo")));
    fixture.start(2, RouterFixture.listener(Ports.freeTcpPort()), clusters, routes);
  }

  private Reply send(HttpMethod method, String uri, Buffer body) throws Exception {
    return Reply.send(fixture.context, fixture.client, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setMethod(method).setURI(uri), body);
  }

  private static String text(Reply reply) {
    return reply.text();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void forwardsGetAndLargeEcho(String transport) throws Exception {
    start(transport);
    Reply greeting = send(HttpMethod.GET, "/", null);
    assertThat(greeting.status()).isEqualTo(200);
    assertThat(greeting.header("via")).contains("ringway");
    assertThat(text(greeting)).contains("demo upstream on node demo");

    byte[] payload = new byte[4 * 1024 * 1024];
    new Random(7).nextBytes(payload);
    Reply echo = send(HttpMethod.POST, "/echo", Buffer.buffer(payload));
    assertThat(echo.status()).isEqualTo(200);
    byte[] back = echo.body().getBytes();
    assertThat(MessageDigest.getInstance("SHA-256").digest(back))
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void localActions(String transport) throws Exception {
    start(transport);
    fixture.byteLevelTakesNone();
    Reply direct = send(HttpMethod.GET, "/ping", null);
    assertThat(direct.status()).isEqualTo(200);
    assertThat(text(direct)).isEqualTo("pong");
    assertThat(send(HttpMethod.GET, "/nothing", null).status()).isEqualTo(204);
    Reply redirect = send(HttpMethod.GET, "/old?x=1", null);
    assertThat(redirect.status()).isEqualTo(301);
    assertThat(redirect.header("location")).isEqualTo("https://new.example.com/new?x=1");
    Reply noRoute = send(HttpMethod.DELETE, "/anything", null);
    assertThat(noRoute.status()).isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void routesMatchOnQueryParameters(String transport) throws Exception {
    start(transport);
    // Forwarded (backend a answers "a", b "b"), so that the byte-level path routes them itself.
    for (String[] expected : new String[][] {{"/q?debug=1", "a"}, {"/q?x=%20&debug=1", "a"}, {"/q?debug=0", "b"},
        {"/q", "b"}, {"/q?debug=1&y=%4g", "a"}, {"/q?debug=%4g", "b"}}) {
      // "%4g" is no percent-encoding: the query is then matched as it came, split at & and =.
      assertThat(text(send(HttpMethod.GET, expected[0], null))).as(expected[0]).isEqualTo(expected[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void forwardingHeadersAndRewrites(String transport) throws Exception {
    start(transport);
    // Connection names a field: the byte-level path leaves such a request to the decoding path.
    fixture.byteLevelTakesNone();
    RequestOptions options = new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setURI("/svc/x?q=1").putHeader("x-secret", "s").putHeader("Connection", "keep-alive, X-Hop")
        .putHeader("x-hop", "h").putHeader("Keep-Alive", "timeout=5");
    Reply response = Reply.send(fixture.context, fixture.client, options, null);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("x-resp")).isEqualTo("1");
    assertThat(response.header("x-drop-me")).isNull();
    JsonObject seen = new JsonObject(text(response));
    assertThat(seen.getString("uri")).isEqualTo("/headers/x?q=1");
    assertThat(seen.getString("host")).isEqualTo("backend.internal");
    assertThat(seen.getString("x-added")).isEqualTo("yes");
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo(RouterFixture.HOST + ":" + fixture.port);
    assertThat(seen.getString("x-request-id")).hasSize(36);
    assertThat(seen.getString("via")).isEqualTo("1.1 ringway");
    assertThat(seen.containsKey("x-secret")).isFalse();
    assertThat(seen.containsKey("x-hop")).isFalse();
    assertThat(seen.containsKey("keep-alive")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void forwardingHeadersOfAPlainGet(String transport) throws Exception {
    start(transport);
    String response = RawHttp.exchange(fixture.port, "GET /svc/y HTTP/1.1\r\nHost: Example.COM:8080\r\n"
        + "X-Secret: s\r\nKeep-Alive: timeout=5\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n"
        + "Via: 1.0 edge\r\nX-Forwarded-Proto: https\r\nX-Request-Id: from-client\r\nX-Forwarded-Client-Cert: forged\r\n"
        + "Forwarded: for=10.9.9.9;host=evil.example;proto=https\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("\r\nx-resp: 1\r\n")
        .containsIgnoringCase("\r\nconnection: close\r\n").doesNotContainIgnoringCase("x-drop-me");
    JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(seen.getString("uri")).isEqualTo("/headers/y");
    assertThat(seen.getString("host")).isEqualTo("backend.internal");
    assertThat(seen.getString("x-added")).isEqualTo("yes");
    // The first field line of each, as the decoding path reads one value of a field.
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo("Example.COM:8080");
    assertThat(seen.getString("x-request-id")).isEqualTo("from-client");
    assertThat(seen.getString("via")).isEqualTo("1.0 edge, 1.1 ringway");
    assertThat(seen.containsKey("x-secret")).isFalse();
    assertThat(seen.containsKey("keep-alive")).isFalse();
    assertThat(seen.containsKey("x-forwarded-client-cert")).isFalse();
    assertThat(seen.containsKey("forwarded")).as("a client's Forwarded, read before x-forwarded-* upstream").isFalse();
    assertThat(seen.containsKey("connection")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void weightedClustersSplitTraffic(String transport) throws Exception {
    start(transport);
    int a = 0;
    for (int i = 0; i < 200; i++) {
      if (text(send(HttpMethod.GET, "/canary", null)).equals("a")) {
        a++;
      }
    }
    assertThat(a).isBetween(50, 150);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "byte-level", "byte-level-epoll"})
  void h2cPriorKnowledge(String transport) throws Exception {
    start(transport);
    // HTTP/2 only: the byte-level path reads HTTP/1.
    fixture.byteLevelTakesNone();
    io.vertx.core.http.HttpClient h2 = fixture.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    Reply response = Reply.send(fixture.context, h2, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setURI("/"), null);
    assertThat(response.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
    assertThat(response.status()).isEqualTo(200);
    // The listener's limit, advertised in its SETTINGS, instead of Vert.x's unlimited default.
    java.util.concurrent.CompletableFuture<Long> advertised = new java.util.concurrent.CompletableFuture<>();
    fixture.context.runOnContext(v -> h2.request(new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setURI("/")).onComplete(ar -> {
          if (ar.failed()) {
            advertised.completeExceptionally(ar.cause());
          } else {
            advertised.complete(ar.result().connection().remoteSettings().getMaxConcurrentStreams());
            // Handled, so the test's own reset is not reported as an unhandled SEVERE "Stream reset: 0".
            ar.result().exceptionHandler(ignored -> { }).reset();
          }
        }));
    assertThat(advertised.get(10, TimeUnit.SECONDS)).isEqualTo(
        (long) io.ringway.spi.config.HttpListenerConfig.DEFAULT_MAX_CONCURRENT_STREAMS);
    assertThat(text(response)).contains("demo upstream");
    Reply echo = Reply.send(fixture.context, h2, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setMethod(HttpMethod.POST).setURI("/echo"), Buffer.buffer("over h2"));
    assertThat(text(echo)).isEqualTo("over h2");
  }

  /**
   * RFC 9113 §8.2.3: an h2 client may split its Cookie field into crumbs (browsers do, for HPACK), and they MUST be
   * joined with "; " before an HTTP/1 hop: an upstream that reads one Cookie field would see one crumb (the backend's
   * JSON keeps the last). Vert.x 5.0.10 joins them as it reads the head ({@code Http2HeadersAdaptor}); this holds it
   * to that.
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void h2CookieCrumbsReachAnHttp1UpstreamAsOneField(String transport) throws Exception {
    start(transport);
    io.vertx.core.http.HttpClient h2 = fixture.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    RequestOptions options = new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port).setURI("/svc/c");
    options.addHeader("cookie", "a=1").addHeader("cookie", "b=2").addHeader("cookie", "c=3");
    Reply response = Reply.send(fixture.context, h2, options, null);
    assertThat(response.version()).isEqualTo(io.vertx.core.http.HttpVersion.HTTP_2);
    JsonObject seen = new JsonObject(text(response));
    assertThat(seen.getString("cookie")).isEqualTo("a=1; b=2; c=3");
  }
}
