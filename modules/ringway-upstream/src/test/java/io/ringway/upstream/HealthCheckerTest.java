package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthCheckPayload;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.testkit.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Real backends on loopback, probed by the real checker; every step runs on one event loop. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class HealthCheckerTest {

  private static final HealthCheckConfig FAST =
      new HealthCheckConfig(Duration.ofMillis(100), Duration.ofMillis(300), 2, 2, null, null);

  private static Future<NetServer> backend(Vertx vertx, int port, Consumer<NetSocket> handler) {
    return vertx.createNetServer().connectHandler(handler::accept).listen(port, "127.0.0.1");
  }

  /** Runs {@code body} on a loop once the checker is started; {@code body} gets the checker and the transitions so far. */
  private static void onLoop(Vertx vertx, VertxTestContext test, ClusterConfig config,
                             Function<HealthChecker, Consumer<HealthTransition>> body) {
    vertx.getOrCreateContext().runOnContext(v -> HealthChecker.start(vertx, config).onComplete(test.succeeding(checker -> {
      Consumer<HealthTransition> onTransition = body.apply(checker);
      vertx.eventBus().<HealthTransition>consumer(Addresses.health(config.name()),
          message -> test.verify(() -> onTransition.accept(message.body())));
    })));
  }

  @Test
  void aClosedBackendGoesUnhealthyAndComesBackWhenRestartedOnItsPort(Vertx vertx, VertxTestContext test) {
    int port = Ports.freeTcpPort();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    ClusterConfig config = ClusterConfig.of("restart", List.of(endpoint)).withHealthCheck(FAST);
    UpstreamCluster cluster = UpstreamCluster.builder(config).build();
    List<Boolean> seen = new ArrayList<>();

    vertx.getOrCreateContext().runOnContext(v -> backend(vertx, port, NetSocket::close)
        .compose(server -> cluster.subscribe(vertx).map(server))
        .compose(server -> HealthChecker.start(vertx, config).map(checker -> {
          vertx.eventBus().<HealthTransition>consumer(Addresses.health("restart"), message -> test.verify(() -> {
            HealthTransition transition = message.body();
            seen.add(transition.healthy());
            assertThat(transition.endpoint()).isEqualTo(endpoint.address());
            if (!transition.healthy()) {
              assertThat(transition.reason()).containsIgnoringCase("refused");
              Eventually.then(vertx, test, () -> !cluster.stats().endpoint(endpoint.address()).healthy(), () -> {
                assertThat(cluster.pick()).isEqualTo(Refusal.NO_HEALTHY_ENDPOINT);
                backend(vertx, port, NetSocket::close).onFailure(test::failNow);
              });
            } else {
              assertThat(seen).containsExactly(false, true);
              Eventually.then(vertx, test, () -> cluster.stats().endpoint(endpoint.address()).healthy(), () -> {
                assertThat(cluster.pick()).isInstanceOf(EndpointLease.class);
                checker.close().onComplete(test.succeedingThenComplete());
              });
            }
          }));
          return server;
        }))
        .compose(NetServer::close)
        .onFailure(test::failNow));
  }

  @Test
  void aWrongResponseFailsAndTheExpectedOnePasses(Vertx vertx, VertxTestContext test) {
    int port = Ports.freeTcpPort();
    String[] answer = {"NOPE"};
    ClusterConfig config = ClusterConfig.of("expect", List.of(Endpoint.of("127.0.0.1", port)))
        .withHealthCheck(FAST.withPayloads(HealthCheckPayload.text("PING\r\n"), HealthCheckPayload.hex("504f4e47")));
    vertx.getOrCreateContext().runOnContext(v -> backend(vertx, port, socket -> socket.handler(request -> {
      if (request.toString().startsWith("PING")) {
        socket.write(answer[0] + " and more");
      }
    })).onComplete(test.succeeding(server -> onLoop(vertx, test, config, checker -> transition -> {
      if (!transition.healthy()) {
        assertThat(transition.reason()).isEqualTo("unexpected response");
        answer[0] = "PONG";
      } else {
        checker.close().onComplete(test.succeedingThenComplete());
      }
    }))));
  }

  @Test
  void aSilentBackendTimesOut(Vertx vertx, VertxTestContext test) {
    int port = Ports.freeTcpPort();
    ClusterConfig config = ClusterConfig.of("silent", List.of(Endpoint.of("127.0.0.1", port)))
        .withHealthCheck(FAST.withPayloads(null, HealthCheckPayload.text("+OK")));
    vertx.getOrCreateContext().runOnContext(v -> backend(vertx, port, socket -> { })
        .onComplete(test.succeeding(server -> onLoop(vertx, test, config, checker -> transition -> {
          assertThat(transition.healthy()).isFalse();
          assertThat(transition.reason()).isEqualTo("timeout after 300 ms");
          checker.close().onComplete(test.succeedingThenComplete());
        }))));
  }

  @Test
  void followsEndpointUpdates(Vertx vertx, VertxTestContext test) {
    int livePort = Ports.freeTcpPort();
    Endpoint live = Endpoint.of("127.0.0.1", livePort);
    Endpoint dead = Endpoint.of("127.0.0.1", Ports.freeTcpPort());
    ClusterConfig config = ClusterConfig.of("moving", List.of(live)).withHealthCheck(FAST);
    vertx.getOrCreateContext().runOnContext(v -> backend(vertx, livePort, NetSocket::close)
        .onComplete(test.succeeding(server -> onLoop(vertx, test, config, checker -> {
          vertx.eventBus().publish(Addresses.endpoints("moving"), new EndpointsUpdate("moving", List.of(live, dead)));
          return transition -> {
            assertThat(transition.endpoint()).isEqualTo(dead.address());
            assertThat(transition.healthy()).isFalse();
            checker.close().onComplete(test.succeedingThenComplete());
          };
        }))));
  }
}
