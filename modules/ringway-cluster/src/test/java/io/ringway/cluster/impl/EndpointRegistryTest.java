package io.ringway.cluster.impl;

import static io.ringway.cluster.TestMembers.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.EndpointOwners;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.RegisterEndpoint;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two members, each with its registry: endpoints written on one are published on the other, and go with their owner. */
class EndpointRegistryTest {

  private static final ConfigSnapshot CONFIG = Nodes.snapshot("""
      clusters:
        - name: api
        - name: web
          endpoints: [{host: 10.0.0.1, port: 80}]
      """);

  private final Nodes nodes = new Nodes(2);

  @AfterEach
  void close() throws Exception {
    nodes.close();
  }

  @Test
  void anEndpointRegisteredOnOneMemberIsPublishedOnTheOtherUntilItsOwnerDies() throws Exception {
    HazelcastInstance first = nodes.member(0);
    HazelcastInstance second = nodes.member(1);
    Vertx one = nodes.vertx();
    Vertx two = nodes.vertx();
    BlockingQueue<EndpointsUpdate> onTwo = subscribe(two, "api");
    BlockingQueue<EndpointsUpdate> webOnTwo = subscribe(two, "web");
    await(one.deployVerticle(new EndpointRegistryVerticle(first, CONFIG)));
    await(two.deployVerticle(new EndpointRegistryVerticle(second, CONFIG)));

    // Both members wrote web's config endpoint: it counts once.
    assertThat(next(webOnTwo, update -> !update.endpoints().isEmpty(), Duration.ofSeconds(5)).endpoints())
        .containsExactly(new Endpoint("10.0.0.1", 80, 1));

    long start = System.nanoTime();
    EndpointRegistered reply = await(one.eventBus().<EndpointRegistered>request(Addresses.CLUSTER_ENDPOINTS_REGISTER,
        new RegisterEndpoint("api", new Endpoint("10.1.1.1", 8080, 3)))).body();
    assertThat(reply.owner()).isEqualTo(first.getCluster().getLocalMember().getUuid().toString());
    assertThat(next(onTwo, update -> !update.endpoints().isEmpty(), Duration.ofSeconds(2)).endpoints())
        .containsExactly(new Endpoint("10.1.1.1", 8080, 3));
    System.out.printf("published on the other member after %d ms%n", (System.nanoTime() - start) / 1_000_000);
    String firstId = first.getCluster().getLocalMember().getUuid().toString();
    String secondId = second.getCluster().getLocalMember().getUuid().toString();
    EndpointOwners owners = await(two.eventBus().<EndpointOwners>request(Addresses.CLUSTER_ENDPOINTS_OWNERS, null)).body();
    assertThat(owners.entries()).containsExactlyInAnyOrder(
        new EndpointRegistered("api", new Endpoint("10.1.1.1", 8080, 3), firstId),
        new EndpointRegistered("web", new Endpoint("10.0.0.1", 80, 1), firstId),
        new EndpointRegistered("web", new Endpoint("10.0.0.1", 80, 1), secondId));
    assertThat(owners.nodeIds()).containsOnlyKeys(firstId, secondId)
        .containsEntry(firstId, first.getCluster().getLocalMember().getAttribute(HazelcastSetup.VERTX_NODE_ID));

    // The owner crashes: the survivor removes its entries and publishes the set without them.
    first.getLifecycleService().terminate();
    assertThat(next(onTwo, update -> update.endpoints().isEmpty(), Duration.ofSeconds(10)).endpoints()).isEmpty();
  }

  @Test
  void refusesUnknownClusters() throws Exception {
    HazelcastInstance member = nodes.member(0);
    Vertx vertx = nodes.vertx();
    await(vertx.deployVerticle(new EndpointRegistryVerticle(member, CONFIG)));

    assertThatThrownBy(() -> await(vertx.eventBus().request(Addresses.CLUSTER_ENDPOINTS_REGISTER,
        new RegisterEndpoint("nope", Endpoint.of("10.1.1.1", 80)))))
        .cause().isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(404);
          assertThat(e.getMessage()).isEqualTo("unknown cluster \"nope\" (known: api, web)");
        });
  }

  private static BlockingQueue<EndpointsUpdate> subscribe(Vertx vertx, String cluster) throws Exception {
    BlockingQueue<EndpointsUpdate> updates = new LinkedBlockingQueue<>();
    await(vertx.eventBus().<EndpointsUpdate>localConsumer(Addresses.endpoints(cluster),
        message -> updates.add(message.body())).completion());
    return updates;
  }

  private static EndpointsUpdate next(BlockingQueue<EndpointsUpdate> updates, Predicate<EndpointsUpdate> wanted, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<EndpointsUpdate> seen = new java.util.ArrayList<>();
    while (System.nanoTime() < deadline) {
      EndpointsUpdate update = updates.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (update != null && wanted.test(update)) {
        return update;
      }
      if (update != null) {
        seen.add(update);
      }
    }
    throw new AssertionError("no such update within " + wait + "; saw " + seen);
  }
}
