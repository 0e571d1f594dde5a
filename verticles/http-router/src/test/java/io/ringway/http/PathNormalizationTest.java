package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routes match the normalized path, and the upstream gets that path ({@code RequestPaths}): only {@code /public/} is
 * routed here, to a Vert.x server, which (as Vert.x Web, nginx and most frameworks do) would serve
 * {@code /public/../internal} as {@code /internal}. Over HTTP/1 and h2 on one listener; byte-level in a subclass. Hosts
 * are matched as the same names too (a trailing dot), against an admin route that answers 403 itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathNormalizationTest {

  private RouterFixture fixture;
  private Backend backend;
  private HttpListenerConfig listener;
  private List<ClusterConfig> clusters;
  private List<RouteConfig> routes;

  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    listener = RouterFixture.listener(Ports.freeTcpPort());
    clusters = List.of(ClusterConfig.of("b", List.of(backend.endpoint())));
    routes = List.of(new RouteConfig("admin", new RouteMatch(List.of("admin.example.com"), null, List.of(), List.of(),
            List.of()), new DirectResponseAction(403, "no", DirectResponseAction.DEFAULT_CONTENT_TYPE)),
        new RouteConfig("public", RouteMatch.path(PathMatch.prefix("/public/")), ForwardAction.to("b")));
    fixture.start(1, listener, clusters, routes);
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void reset() {
    backend.uris.clear();
  }

  /**
   * Escapes of unreserved bytes decoded, dot-segments removed, runs of slashes made one; the query as it came; an
   * escaped slash is no separator. Before, each of the first four went upstream as sent: the two that miss the route
   * were 404 although the upstream serves them as /public/...
   */
  @ParameterizedTest
  @CsvSource(delimiter = ' ', value = {
      "/%70ublic/x /public/x", "//public/x /public/x", "/public//x/ /public/x/", "/public/a/../b?q=/../c /public/b?q=/../c",
      "/public/./x/. /public/x/", "/public/%2E%2e/public/x%7e /public/x~", "/public/a%2f..%2fb /public/a%2f..%2fb",
      "/public/.well-known/x /public/.well-known/x", "/public/x%20y /public/x%20y"})
  void theUpstreamGetsTheNormalizedPath(String sent, String forwarded) throws Exception {
    long normalizedBefore = fixture.listenerStats().getLong("normalizedPaths");
    assertThat(RawHttp.exchange(fixture.port, request(sent))).startsWith("HTTP/1.1 200 ");
    try (RawH2 h2 = new RawH2(fixture.port)) {
      h2.get(1, h2.pathBlock(sent));
      assertThat(h2.frames(1)).isNotEmpty();
      assertThat(h2.lastHeaders.status()).hasToString("200");
    }
    assertThat(backend.uris).containsExactly(forwarded, forwarded);
    assertThat(fixture.listenerStats().getLong("normalizedPaths") - normalizedBefore).as("normalizedPaths")
        .isEqualTo(sent.equals(forwarded) ? 0 : 2);
  }

  /**
   * {@code mergeSlashes: false}, published to the running listener and back: empty segments reach the upstream as
   * sent (and a route must match them as sent), the rest is normalized as before.
   */
  @Test
  void aListenerThatKeepsSlashesKeepsThem() throws Exception {
    try {
      fixture.publish(listener.withMergeSlashes(false), clusters, routes);
      Eventually.await("the listener replaced", Duration.ofSeconds(10),
          () -> exchange("/public//x/%2e/y").startsWith("HTTP/1.1 200 ") && backend.uris.contains("/public//x/y"));
      assertThat(exchange("//public/x")).startsWith("HTTP/1.1 404 ");
    } finally {
      fixture.publish(listener, clusters, routes);
      Eventually.await("slashes merged again", Duration.ofSeconds(10),
          () -> exchange("/public//z").startsWith("HTTP/1.1 200 ") && backend.uris.contains("/public/z"));
    }
  }

  /**
   * A host with a trailing dot is the same host (a fully qualified name; nginx serves it from the same
   * {@code server_name}): it takes that host's route. Before, it missed the admin route and took the next one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"admin.example.com", "admin.example.com.", "ADMIN.example.com.:80"})
  void aHostIsMatchedWithoutItsTrailingDot(String host) throws Exception {
    String http1 = RawHttp.exchange(fixture.port, "GET /public/x HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n");
    assertThat(http1).startsWith("HTTP/1.1 403 ");
    assertThat(backend.uris).isEmpty();
  }

  /** {@link RawHttp#exchange}, unchecked for polling lambdas. */
  private String exchange(String target) {
    try {
      return RawHttp.exchange(fixture.port, request(target));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What normalizes to a path no route matches is never forwarded: before, each reached the upstream's /internal. */
  @ParameterizedTest
  @ValueSource(strings = {"/public/../internal", "/public/%2e%2e/internal", "/public/x/../../internal",
      "/public/.%2E/internal"})
  void aPathThatLeavesTheRouteIsRoutedAsWhereItLeads(String sent) throws Exception {
    assertThat(RawHttp.exchange(fixture.port, request(sent))).startsWith("HTTP/1.1 404 ");
    try (RawH2 h2 = new RawH2(fixture.port)) {
      h2.get(1, h2.pathBlock(sent));
      assertThat(h2.frames(1)).isNotEmpty();
      assertThat(h2.lastHeaders.status()).hasToString("404");
    }
    assertThat(backend.uris).isEmpty();
  }

  /**
   * Dot-segments above the root, and a {@code %} without two hex digits (decoding {@code %6%31} makes {@code %61}, which
   * an upstream would decode once more): 400 (nginx's answer to both); on h2 a stream error.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/../public/x", "/public/../../public/x", "/%2e%2e/public/x", "/%70ublic/%6%31", "/public/x%",
      "/public/%zz"})
  void aPathAboveTheRootIsRefused(String sent) throws Exception {
    assertThat(RawHttp.exchange(fixture.port, request(sent))).startsWith("HTTP/1.1 400 ");
    try (RawH2 h2 = new RawH2(fixture.port)) {
      h2.get(1, h2.pathBlock(sent));
      assertThat(h2.frames(1)).extracting(RawH2.Frame::type).containsExactly(RawH2.TYPE_RST_STREAM);
    }
    assertThat(backend.uris).isEmpty();
  }

  private static String request(String target) {
    return "GET " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  }
}
