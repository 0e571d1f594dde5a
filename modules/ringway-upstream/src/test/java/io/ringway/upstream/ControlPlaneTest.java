package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthTransition;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ControlPlaneTest {

  private static final Endpoint A = Endpoint.of("10.0.0.1", 9001);
  private static final Endpoint B = Endpoint.of("10.0.0.2", 9001);
  private static final Endpoint C = Endpoint.of("10.0.0.3", 9001);

  @Test
  void endpointSetsAndHealthArriveOverTheBus(Vertx vertx, VertxTestContext test) {
    UpstreamCluster cluster = UpstreamCluster.builder(ClusterConfig.of("echo", List.of(A))).build();
    vertx.getOrCreateContext().runOnContext(v -> cluster.subscribe(vertx).onComplete(test.succeeding(subscribed -> {
      MessageCodecs.registerAll(vertx);
      EventBus bus = vertx.eventBus();
      bus.publish(Addresses.endpoints("echo"), "not a set: ignored");
      bus.publish(Addresses.endpoints("echo"), new EndpointsUpdate("echo", List.of(A, B, C)));
      bus.publish(Addresses.health("echo"), new HealthTransition(A.address(), false, "timeout"));
      bus.publish(Addresses.health("echo"), new HealthTransition(C.address(), false, "timeout"));
      Eventually.then(vertx, test, () -> cluster.endpoints().size() == 3 && !cluster.stats().endpoint(C.address()).healthy(),
          () -> test.verify(() -> {
            for (int i = 0; i < 5; i++) {
              EndpointLease lease = (EndpointLease) cluster.pick();
              assertThat(lease.endpoint()).isEqualTo(B);
              lease.release();
            }
            cluster.unsubscribe().onComplete(test.succeedingThenComplete());
          }));
    })));
  }

  @Test
  void subscribingTwiceIsRefused(Vertx vertx, VertxTestContext test) {
    UpstreamCluster cluster = UpstreamCluster.builder(ClusterConfig.of("twice", List.of(A))).build();
    vertx.getOrCreateContext().runOnContext(v -> cluster.subscribe(vertx)
        .compose(first -> cluster.subscribe(vertx))
        .onComplete(test.failing(e -> test.verify(() -> {
          assertThat(e).hasMessageContaining("already subscribed");
          test.completeNow();
        }))));
  }
}
