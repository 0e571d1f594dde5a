package io.ringway.cluster.impl;

import static io.ringway.cluster.TestMembers.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A peer announced on one member is published on the other, and goes when its member does. */
class TunPeerRegistryTest {

  private final Nodes nodes = new Nodes(2);

  @AfterEach
  void close() throws Exception {
    nodes.close();
  }

  @Test
  void announcedPeersTravelWithTheirOwner() throws Exception {
    HazelcastInstance first = nodes.member(0);
    HazelcastInstance second = nodes.member(1);
    Vertx one = nodes.vertx();
    Vertx two = nodes.vertx();
    BlockingQueue<JsonArray> onTwo = new LinkedBlockingQueue<>();
    await(two.eventBus().<JsonObject>localConsumer(Addresses.TUN_PEERS, m -> onTwo.add(m.body().getJsonArray("peers"))).completion());
    await(one.deployVerticle(new TunPeerRegistryVerticle(first)));
    await(two.deployVerticle(new TunPeerRegistryVerticle(second)));

    JsonObject peer = new JsonObject().put("name", "edge-1").put("publicKey", "cGVlcg==").put("endpoint", "10.0.0.1:51820")
        .put("allowedPrefixes", new JsonArray().add("10.77.0.1/32"));
    await(one.eventBus().request(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, peer));

    JsonArray peers = nextNonEmpty(onTwo);
    assertThat(peers).hasSize(1);
    assertThat(peers.getJsonObject(0).getString("name")).isEqualTo("edge-1");
    assertThat(peers.getJsonObject(0).getString("owner")).isEqualTo(first.getCluster().getLocalMember().getUuid().toString());

    first.getLifecycleService().terminate();
    JsonArray after;
    do {
      after = onTwo.poll(10, TimeUnit.SECONDS);
      assertThat(after).as("no update after the owner died").isNotNull();
    } while (!after.isEmpty());
  }

  private static JsonArray nextNonEmpty(BlockingQueue<JsonArray> updates) throws InterruptedException {
    while (true) {
      JsonArray peers = updates.poll(5, TimeUnit.SECONDS);
      assertThat(peers).as("no peers published").isNotNull();
      if (!peers.isEmpty()) {
        return peers;
      }
    }
  }
}
