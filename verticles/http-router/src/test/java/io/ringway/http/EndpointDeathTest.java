package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.GetLoad;
import io.ringway.testkit.MortalHttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One of two endpoints dies under keep-alive load (its listener gone, its connections reset, the requests on
 * them unanswered): every GET is still answered 2xx, through retries on the live endpoint, and the dead one is
 * ejected at its first refused connect.
 */
class EndpointDeathTest {

  private static final int CONNECTIONS = 32;
  private static final int REQUESTS = 6_000;

  private RouterFixture fixture;
  private MortalHttpServer live;
  private MortalHttpServer doomed;

  /** The router under test: io_uring here, another transport in a subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeEach
  void start() throws Exception {
    fixture = newFixture();
    live = new MortalHttpServer(fixture.vertx, "live", 2);
    doomed = new MortalHttpServer(fixture.vertx, "doomed", 2);
    ClusterConfig cluster = ClusterConfig.of("pair", List.of(endpoint(live), endpoint(doomed)));
    fixture.start(List.of(cluster), List.of(new RouteConfig("pair", RouteMatch.path(PathMatch.prefix("/")),
        ForwardAction.to("pair"), RoutePolicy.DEFAULTS)));
  }

  @AfterEach
  void stop() throws Exception {
    live.close();
    doomed.close();
    fixture.close();
  }

  @Test
  void noGetIsLostWhenAnEndpointDiesUnderLoad() throws Exception {
    long start = System.nanoTime();
    try (GetLoad load = new GetLoad(fixture.vertx, fixture.port, "/", CONNECTIONS, REQUESTS)) {
      assertThat(load.awaitAnswered(REQUESTS / 4, Duration.ofSeconds(20))).as("load under way").isTrue();
      int reset = doomed.kill();
      assertThat(load.await(Duration.ofSeconds(30))).as("load finished; " + load.describe()).isTrue();
      JsonObject route = route("pair");
      JsonObject cluster = fixture.clusterStats("pair");
      System.out.printf("endpoint death: %d connections reset, %s in %d ms; route %s; cluster %s%n", reset,
          load.describe(), (System.nanoTime() - start) / 1_000_000, route.encode(), cluster.copy()
              .put("endpoints", "…").encode());
      assertThat(load.lost()).as(load.describe()).isZero();
      assertThat(route.getLong("retries")).as("the requests in flight on the dead endpoint were retried").isPositive();
      assertThat(route.getLong("retryBudgetExhausted")).isZero();
      assertThat(cluster.getLong("ejections")).as("ejected at its first refused connect").isEqualTo(1L);
      assertThat(cluster.getLong("refusalEjections")).isEqualTo(1L);
    }
  }

  @Test
  void aPostThatNoServerSawMovesOnAndOneThatMayHaveIsNotRetried() throws Exception {
    doomed.kill();
    for (int i = 0; i < 4; i++) {
      Reply reply = post("/");
      assertThat(reply.status()).as("refused connects move on, whatever the method").isEqualTo(200);
      assertThat(reply.text()).isEqualTo("live");
    }
    assertThat(fixture.clusterStats("pair").getLong("refusalEjections")).isEqualTo(1L);
    assertThat(route("pair").getLong("failoverRetries")).isEqualTo(1L);
  }

  @Test
  void aPostInFlightOnAnEndpointThatDiesIsNotRetried() throws Exception {
    try (MortalHttpServer first = new MortalHttpServer(fixture.vertx, "first", 60_000);
         MortalHttpServer second = new MortalHttpServer(fixture.vertx, "second", 60_000)) {
      fixture.publish(List.of(ClusterConfig.of("pair", List.of(endpoint(first), endpoint(second)))),
          List.of(new RouteConfig("pair", RouteMatch.path(PathMatch.prefix("/")), ForwardAction.to("pair"),
              RoutePolicy.DEFAULTS)));
      Eventually.await("the new endpoints in use", Duration.ofSeconds(5), () -> {
        try {
          return fixture.clusterStats("pair").getJsonArray("endpoints").getJsonObject(0).getString("address")
              .endsWith(":" + first.port());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      var pending = fixture.client.request(new io.vertx.core.http.RequestOptions().setHost(RouterFixture.HOST)
          .setPort(fixture.port).setMethod(io.vertx.core.http.HttpMethod.POST).setURI("/"))
          .compose(request -> request.send("x")).map(response -> response.statusCode());
      Eventually.await("the POST reached an endpoint", Duration.ofSeconds(5),
          () -> first.received() + second.received() == 1);
      MortalHttpServer holder = first.received() == 1 ? first : second;
      MortalHttpServer other = holder == first ? second : first;
      holder.kill();
      assertThat(pending.await(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(502);
      assertThat(other.received()).as("not sent again: the dead endpoint may have acted on it").isZero();
    }
  }

  private Reply post(String uri) throws Exception {
    return Reply.send(fixture.context, fixture.client, new io.vertx.core.http.RequestOptions()
        .setHost(RouterFixture.HOST).setPort(fixture.port).setMethod(io.vertx.core.http.HttpMethod.POST).setURI(uri),
        io.vertx.core.buffer.Buffer.buffer("x"));
  }

  private static Endpoint endpoint(MortalHttpServer server) {
    return Endpoint.of(RouterFixture.HOST, server.port());
  }

  private JsonObject route(String name) throws Exception {
    return fixture.stats().getJsonArray("routes").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("route").equals(name)).findFirst().orElseThrow();
  }
}
