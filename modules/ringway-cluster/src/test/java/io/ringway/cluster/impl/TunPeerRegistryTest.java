package io.ringway.cluster.impl;

import static io.ringway.cluster.TestMembers.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.vertx.core.Vertx;
import java.util.List;
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
    BlockingQueue<List<TunPeer>> onTwo = new LinkedBlockingQueue<>();
    await(two.eventBus().<TunPeers>localConsumer(Addresses.TUN_PEERS, m -> onTwo.add(m.body().peers())).completion());
    await(one.deployVerticle(new TunPeerRegistryVerticle(first)));
    await(two.deployVerticle(new TunPeerRegistryVerticle(second)));

    TunPeerConfig peer = TunPeerConfig.of("edge-1", "cGVlcg==", "10.0.0.1:51820", List.of("10.77.0.1/32"));
    String owner = first.getCluster().getLocalMember().getUuid().toString();
    assertThat(await(one.eventBus().request(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, peer)).body())
        .isEqualTo(new TunPeer(peer, owner));

    assertThat(nextNonEmpty(onTwo)).containsExactly(new TunPeer(peer, owner));

    first.getLifecycleService().terminate();
    List<TunPeer> after;
    do {
      after = onTwo.poll(10, TimeUnit.SECONDS);
      assertThat(after).as("no update after the owner died").isNotNull();
    } while (!after.isEmpty());
  }

  private static List<TunPeer> nextNonEmpty(BlockingQueue<List<TunPeer>> updates) throws InterruptedException {
    while (true) {
      List<TunPeer> peers = updates.poll(5, TimeUnit.SECONDS);
      assertThat(peers).as("no peers published").isNotNull();
      if (!peers.isEmpty()) {
        return peers;
      }
    }
  }
}
