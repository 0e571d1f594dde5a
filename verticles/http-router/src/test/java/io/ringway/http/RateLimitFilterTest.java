package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code rate-limit} filter (plugins/http-rate-limit) in a real router: 429 with {@code retry-after} once a
 * key's bucket is empty, other keys untouched, recovery after the refill, buckets kept across a reload that leaves
 * the filter as it was, counters in the route's stats.
 */
class RateLimitFilterTest {

  private static final String SLOW = "slow";
  private static final String FAST = "fast";

  @Test
  void limitsPerKeyAnswers429WithRetryAfterAndRecovers() throws Exception {
    try (RouterFixture fixture = RouterFixture.ioUring(); HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build()) {
      Backend backend = new Backend(fixture.vertx, "web");
      List<ClusterConfig> clusters = List.of(ClusterConfig.of("web", List.of(backend.endpoint())));
      fixture.start(clusters, routes(3));
      String base = "http://" + RouterFixture.HOST + ":" + fixture.port;

      // 0.2 per second: no token comes back while the test runs this part (5 s each).
      for (int i = 0; i < 3; i++) {
        assertThat(get(client, base + "/", "a").statusCode()).isEqualTo(200);
      }
      HttpResponse<String> limited = get(client, base + "/", "a");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(
          seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 5));
      assertThat(limited.body()).isEqualTo("rate limited\n");
      assertThat(get(client, base + "/", "b").statusCode()).as("another key has its own bucket").isEqualTo(200);
      assertThat(get(client, base + "/", null).statusCode()).as("no key: the shared bucket").isEqualTo(200);
      assertThat(backend.seen.get()).as("the limited request never reached the backend").isEqualTo(5);

      // The same filter config after a reload: the buckets stay, key a is still limited.
      fixture.publish(clusters, routes(3));
      Eventually.await("config v2", java.time.Duration.ofSeconds(5), () -> fixture.configVersion() == 2);
      assertThat(get(client, base + "/", "a").statusCode()).isEqualTo(429);
      // A changed one starts afresh.
      fixture.publish(clusters, routes(4));
      Eventually.await("config v3", java.time.Duration.ofSeconds(5), () -> fixture.configVersion() == 3);
      assertThat(get(client, base + "/", "a").statusCode()).isEqualTo(200);

      // One per second, per client address: the second at once is refused, a third after the refill passes.
      assertThat(get(client, base + "/fast", null).statusCode()).isEqualTo(200);
      assertThat(get(client, base + "/fast", null).statusCode()).isEqualTo(429);
      Thread.sleep(1100);
      assertThat(get(client, base + "/fast", null).statusCode()).isEqualTo(200);

      JsonObject slow = route(fixture, SLOW);
      assertThat(slow.getLong("filtered")).as("the route counts across reloads").isEqualTo(2);
      assertThat(slow.getJsonArray("filters").getJsonObject(0).encode()).as("the new filter instance counts afresh")
          .isEqualTo("{\"allowed\":1,\"limited\":0,\"activeKeys\":1,\"evicted\":0,\"filter\":\"rate-limit\"}");
      JsonObject fast = route(fixture, FAST);
      assertThat(fast.getLong("filtered")).isEqualTo(1);
      assertThat(fast.getJsonArray("filters").getJsonObject(0).getLong("limited")).isEqualTo(1);
      assertThat(fast.getJsonArray("filters").getJsonObject(0).getLong("allowed")).isEqualTo(2);
    }
  }

  @Test
  void aClusterScopedLimitOnAStandaloneNodeCountsOneBudgetForAllLoops() throws Exception {
    try (RouterFixture fixture = RouterFixture.ioUring(); HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build()) {
      Backend backend = new Backend(fixture.vertx, "web");
      FilterConfig limit = new FilterConfig("rate-limit", new JsonObject().put("requestsPerSecond", 0.05)
          .put("windowSeconds", 60).put("key", "route").put("scope", "cluster"));
      fixture.start(2, RouterFixture.listener(io.ringway.testkit.Ports.freeTcpPort()),
          List.of(ClusterConfig.of("web", List.of(backend.endpoint()))), List.of(new RouteConfig("api",
          RouteMatch.ANY, ForwardAction.to("web"), RoutePolicy.DEFAULTS, List.of(limit))));
      String base = "http://" + RouterFixture.HOST + ":" + fixture.port;
      // The windows follow the wall clock: start well inside one, so the test never spans two.
      long intoWindow = System.currentTimeMillis() % 60_000;
      if (intoWindow > 50_000) {
        Thread.sleep(60_500 - intoWindow);
      }

      // 0.05 per second over 60 s windows: a budget of 3 for the route over both instances (loops), whichever takes
      // a connection; with that budget each lease is one token, so the count is exact.
      for (int i = 0; i < 3; i++) {
        try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
          assertThat(get(fresh, base + "/", null).statusCode()).isEqualTo(200);
        }
      }
      HttpResponse<String> limited = get(client, base + "/", null);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(
          seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
      assertThat(backend.seen.get()).isEqualTo(3);
    }
  }

  private static List<RouteConfig> routes(int slowBurst) {
    FilterConfig slow = new FilterConfig("rate-limit", new JsonObject().put("requestsPerSecond", 0.2)
        .put("burst", slowBurst).put("key", "header:x-api-key"));
    FilterConfig fast = new FilterConfig("rate-limit", new JsonObject().put("requestsPerSecond", 1).put("burst", 1));
    return List.of(
        new RouteConfig(FAST, RouteMatch.path(new PathMatch(PathMatch.Kind.PREFIX, "/fast")), ForwardAction.to("web"),
            RoutePolicy.DEFAULTS, List.of(fast)),
        new RouteConfig(SLOW, RouteMatch.ANY, ForwardAction.to("web"), RoutePolicy.DEFAULTS, List.of(slow)));
  }

  private static HttpResponse<String> get(HttpClient client, String uri, String apiKey) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
    if (apiKey != null) {
      request.header("x-api-key", apiKey);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject route(RouterFixture fixture, String name) throws Exception {
    JsonArray routes = fixture.stats().getJsonArray("routes");
    return routes.stream().map(JsonObject.class::cast).filter(r -> r.getString("route").equals(name)).findFirst()
        .orElseThrow();
  }
}
