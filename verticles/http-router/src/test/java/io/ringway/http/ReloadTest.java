package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.StatsRequest;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routes and clusters swap under load without a failed request, and stats follow the contract. */
class ReloadTest {

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void reloadUnderLoadFailsNothing(String transport) throws Exception {
    try (RouterFixture fixture = transport.equals("epoll") ? RouterFixture.epoll() : RouterFixture.ioUring()) {
      Backend blue = new Backend(fixture.vertx, "blue");
      Backend green = new Backend(fixture.vertx, "green");
      List<ClusterConfig> both = List.of(ClusterConfig.of("blue", List.of(blue.endpoint())),
          ClusterConfig.of("green", List.of(green.endpoint())));
      fixture.start(2, RouterFixture.listener(Ports.freeTcpPort()), both,
          List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("blue"))));
      AtomicInteger failures = new AtomicInteger();
      io.vertx.core.Context context = fixture.vertx.getOrCreateContext();
      List<Future<?>> all = new ArrayList<>();
      for (int batch = 0; batch < 20; batch++) {
        // Issued from one Vert.x context, so each response is handled on the loop its connection lives on.
        java.util.concurrent.CompletableFuture<List<Future<?>>> issued = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> {
          List<Future<?>> futures = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            futures.add(fixture.client.request(new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
                    .setURI("/"))
                .compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode()))
                .onComplete(ar -> {
                  if (ar.failed() || ar.result() != 200) {
                    failures.incrementAndGet();
                  }
                }));
          }
          issued.complete(futures);
        });
        List<Future<?>> inFlight = issued.get(10, TimeUnit.SECONDS);
        if (batch == 10) {
          fixture.publish(both, List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("green"))));
        }
        try {
          Future.join(inFlight).await(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          List<JsonObject> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
          fixture.vertx.eventBus().<InstanceStats>consumer("test.stats", m -> replies.add(m.body().toJson())).completion().await();
          fixture.vertx.eventBus().publish(io.ringway.spi.Addresses.STATS_COLLECT, new StatsRequest("test.stats"));
          Eventually.await("stats", java.time.Duration.ofSeconds(5), () -> replies.size() == 2);
          throw new AssertionError(replies + " ; " + "batch " + batch + ": " + inFlight.stream().filter(f -> !f.isComplete()).count()
              + " requests pending; blue saw " + blue.seen + ", green " + green.seen, e);
        }
        all.addAll(inFlight);
      }
      assertThat(all).hasSize(2000);
      assertThat(failures).hasValue(0);
      assertThat(green.seen.get()).isPositive();
      assertThat(blue.seen.get() + green.seen.get()).isEqualTo(2000);

      JsonObject stats = fixture.vertx.eventBus().<InstanceStats>request(io.ringway.spi.Addresses.STATS_COLLECT, null)
          .await(5, TimeUnit.SECONDS).body().toJson();
      assertThat(stats.getString("verticle")).isEqualTo("http-router");
      assertThat(stats.getInteger("instances")).isEqualTo(2);
      assertThat(stats.getLong("configVersion")).isEqualTo(2L);
      assertThat(stats.getJsonArray("routes").getJsonObject(0).getString("route")).isEqualTo("all");
      assertThat(stats.getJsonArray("clusters")).hasSize(2);
    }
  }
  @Test
  void aRequestKeepsTheTimeoutOfTheRouteItWasRoutedWith() throws Exception {
    try (RouterFixture fixture = RouterFixture.ioUring()) {
      Backend backend = new Backend(fixture.vertx, "b");
      List<ClusterConfig> clusters = List.of(ClusterConfig.of("b", List.of(backend.endpoint())));
      fixture.start(1, RouterFixture.listener(Ports.freeTcpPort()), clusters, List.of(slowRoute(Duration.ofMillis(400))));
      long start = System.nanoTime();
      var before = send(fixture, "/slow").map(status -> status + " after " + (System.nanoTime() - start) / 1_000_000);
      Eventually.await("the backend has the first request", Duration.ofSeconds(5), () -> backend.seen.get() == 1);

      fixture.publish(clusters, List.of(slowRoute(Duration.ofSeconds(30))));
      Eventually.await("the 30 s route in force", Duration.ofSeconds(5),
          () -> fixture.configVersion() == 2L);
      var after = send(fixture, "/slow");

      // The reload made a new route (and its deadlines) for new requests; the one waiting keeps its 400 ms.
      assertThat(before.await(5, TimeUnit.SECONDS)).startsWith("504 after ");
      Thread.sleep(1_000);
      assertThat(after.isComplete()).as("a request routed after the reload has the new route's 30 s").isFalse();
    }
  }

  private static RouteConfig slowRoute(Duration timeout) {
    return new RouteConfig("slow", RouteMatch.path(PathMatch.exact("/slow")), ForwardAction.to("b"),
        RoutePolicy.DEFAULTS.withTimeout(timeout).withRetries(0));
  }

  private static Future<Integer> send(RouterFixture fixture, String uri) {
    return fixture.client.request(new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port).setURI(uri))
        .compose(request -> request.send()).map(response -> response.statusCode());
  }
}
