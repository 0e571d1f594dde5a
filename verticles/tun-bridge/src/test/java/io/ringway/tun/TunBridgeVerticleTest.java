package io.ringway.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.ringway.testkit.Capabilities;
import io.ringway.tun.impl.StaticKeyPair;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment failures say what is wrong and leave no interface behind; on NIO the reader thread
 * comes and goes with the deployment; the cluster registry's contract on the event bus (the tunnel
 * itself: e2e.TunnelEndToEndTest).
 */
class TunBridgeVerticleTest {

  private final TunFixture tun = new TunFixture();
  @TempDir
  Path dir;
  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    tun.deleteLink();
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void onNioTheDeviceIsReadByAThreadOfItsOwnAndUndeployingStopsIt() throws Exception {
    TunFixture.requireTun();
    vertx = Vertx.builder().withTransport(Transport.NIO).build();
    Path key = dir.resolve("tun.key");
    Files.writeString(key, Base64Key.random());
    RingwayConfig ringway = new RingwayConfig("nio", 1, Map.of(), List.of("tun-bridge"), null, null)
        .withTun(config(key.toString(), null, List.of()));
    String deployment = vertx.deployVerticle(new TunBridgeVerticleProvider().create(new ConfigSnapshot(1, ringway, "test")))
        .await(10, TimeUnit.SECONDS);

    JsonObject stats = vertx.eventBus().<InstanceStats>request(Addresses.STATS_COLLECT, null).await(5, TimeUnit.SECONDS)
        .body().counters();
    assertThat(stats.getString("ioPath")).isEqualTo("reader-thread");
    assertThat(stats.getString("thread")).as("the bridge itself runs on the loop").startsWith("vert.x-eventloop-thread-");
    assertThat(stats.getString("listen")).matches("127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThat(stats.getJsonObject("tun").getLong("readsDropped")).isZero();
    Thread reader = Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("ringway-tun-reader-" + tun.name)).findFirst().orElseThrow();

    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    reader.join(2000);
    assertThat(reader.isAlive()).isFalse();
    assertThat(tun.linkExists()).isFalse();
  }

  @Test
  void aMultiQueueDeviceGetsOneQueueAndOneSocketPerLoopAndGoesWithTheLastInstance() throws Exception {
    requireTunAndIoUring();
    vertx = Vertx.builder().withTransport(Transport.IO_URING)
        .with(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2)).build();
    Path key = dir.resolve("tun.key");
    Files.writeString(key, Base64Key.random());
    TunBridgeConfig multiQueue = config(key.toString(), null, List.of());
    multiQueue = new TunBridgeConfig(true, multiQueue.deviceName(), null, true, 1420, multiQueue.addresses(), 0, 0,
        null, "127.0.0.1", 0, key.toString(), null, 0, List.of(), "chacha20-poly1305");
    ConfigSnapshot snapshot = new ConfigSnapshot(1,
        new RingwayConfig("io_uring", 2, Map.of(), List.of("tun-bridge"), null, null).withTun(multiQueue), "test");
    TunBridgeVerticleProvider provider = new TunBridgeVerticleProvider();
    assertThat(provider.instances(snapshot.config())).isEqualTo(2);

    for (int round = 0; round < 2; round++) {
      String deployment = vertx.deployVerticle(() -> provider.create(snapshot),
          new io.vertx.core.DeploymentOptions().setInstances(2)).await(10, TimeUnit.SECONDS);
      List<JsonObject> lanes = allStats();
      assertThat(lanes).extracting(lane -> lane.getInteger("queue")).as("round " + round).containsExactlyInAnyOrder(0, 1);
      assertThat(lanes).extracting(lane -> lane.getString("listen")).as("one port").containsOnly(lanes.get(0).getString("listen"));
      assertThat(lanes).extracting(lane -> lane.getString("thread")).doesNotHaveDuplicates();
      assertThat(lanes).allSatisfy(lane -> {
        assertThat(lane.getInteger("queues")).isEqualTo(2);
        assertThat(lane.getJsonObject("cipher").getJsonArray("offers").getList()).containsExactly("chacha20-poly1305");
      });
      // TUNSETIFF with IFF_MULTI_QUEUE: each attached fd is a queue; the kernel shows one rx-N per queue.
      assertThat(Files.list(Path.of("/sys/class/net", tun.name, "queues")).map(q -> q.getFileName().toString())
          .filter(q -> q.startsWith("rx-")).toList()).containsExactlyInAnyOrder("rx-0", "rx-1");

      vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
      assertThat(tun.linkExists()).as("the last queue closed: the interface is gone").isFalse();
    }
  }

  @Test
  void aMultiQueueDeviceOnNioIsRefusedSayingWhy() throws Exception {
    TunFixture.requireTun();
    vertx = Vertx.builder().withTransport(Transport.NIO).build();
    Path key = dir.resolve("tun.key");
    Files.writeString(key, Base64Key.random());
    TunBridgeConfig base = config(key.toString(), null, List.of());
    TunBridgeConfig multiQueue = new TunBridgeConfig(true, base.deviceName(), null, true, 1420, base.addresses(), 0, 0,
        null, "127.0.0.1", 0, key.toString(), null, 0, List.of(), null);

    assertThat(deployFailure(multiQueue)).isEqualTo("tun.multiQueue needs the io_uring or epoll transport:"
        + " NIO's reader-thread fallback runs one queue only (set multiQueue: false)");
    assertThat(tun.linkExists()).isFalse();
  }

  /** Every instance's stats, through the {@code replyTo} contract (a plain request reaches one instance). */
  private List<JsonObject> allStats() throws Exception {
    String replyTo = "test.stats." + System.nanoTime();
    BlockingQueue<JsonObject> answers = new LinkedBlockingQueue<>();
    vertx.eventBus().<InstanceStats>localConsumer(replyTo, message -> answers.add(message.body().counters()))
        .completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().publish(Addresses.STATS_COLLECT, new io.ringway.spi.message.StatsRequest(replyTo));
    List<JsonObject> lanes = new java.util.ArrayList<>();
    for (JsonObject answer; lanes.size() < 2 && (answer = answers.poll(5, TimeUnit.SECONDS)) != null; ) {
      lanes.add(answer);
    }
    return lanes;
  }

  @Test
  void withoutATunSectionTheDeploymentFailsSayingSo() {
    vertx = Vertx.builder().withTransport(Transport.NIO).build();

    assertThat(deployFailure(TunBridgeConfig.DISABLED))
        .isEqualTo("tun-bridge is deployed but the tunnel is not configured: add a tun section (or set tun.enabled: true)");
  }

  @Test
  void aMissingOrMalformedKeyFailsWithoutShowingIt() throws Exception {
    requireTunAndIoUring();
    vertx = Vertx.builder().withTransport(Transport.IO_URING).build();
    assertThat(deployFailure(config(null, "RWT_NO_SUCH_VARIABLE", List.of())))
        .isEqualTo("tun.privateKeyEnv RWT_NO_SUCH_VARIABLE: the variable is not set");

    Path key = dir.resolve("tun.key");
    String notAKey = "c2VjcmV0LWJ1dC1ub3QtMzItYnl0ZXM=";
    Files.writeString(key, notAKey);
    String failure = deployFailure(config(key.toString(), null, List.of()));
    assertThat(failure).isEqualTo("tun.privateKeyFile " + key + ": private key must be 32 bytes, got 23");
    assertThat(failure).doesNotContain(notAKey);
    assertThat(tun.linkExists()).isFalse();
  }

  @Test
  void anInvalidPeerFailsTheDeploymentAndClosesTheDevice() throws Exception {
    requireTunAndIoUring();
    vertx = Vertx.builder().withTransport(Transport.IO_URING).build();
    Path key = dir.resolve("tun.key");
    Files.writeString(key, Base64Key.random());
    TunPeerConfig peer = TunPeerConfig.of("b", StaticKeyPair.generate().publicKeyBase64(), null, List.of("10.300.0.0/16"));

    assertThat(deployFailure(config(key.toString(), null, List.of(peer))))
        .isEqualTo("peer b: prefix \"10.300.0.0/16\": not an IP address");
    assertThat(tun.linkExists()).as("the device is closed again").isFalse();
  }

  @Test
  void itAnnouncesItselfToTheClusterRegistryAndAddsTheAnnouncedPeers() throws Exception {
    requireTunAndIoUring();
    vertx = Vertx.builder().withTransport(Transport.IO_URING).build();
    String privateKey = Base64Key.random();
    Path key = dir.resolve("tun.key");
    Files.writeString(key, privateKey);
    String ownKey = StaticKeyPair.fromPrivateKey(privateKey).publicKeyBase64();
    String keyB = StaticKeyPair.generate().publicKeyBase64();
    String keyC = StaticKeyPair.generate().publicKeyBase64();
    BlockingQueue<JsonObject> announced = new LinkedBlockingQueue<>();
    vertx.eventBus().<TunPeerConfig>localConsumer(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, message -> {
      announced.add(message.body().toJson());
      message.reply(new TunPeer(message.body(), "test"));
    }).completion().await(5, TimeUnit.SECONDS);
    RingwayConfig ringway = new RingwayConfig("io_uring", 1, Map.of(), List.of("tun-bridge"), null, null)
        .withTun(config(key.toString(), null, List.of(TunPeerConfig.of("b", keyB, null, List.of(tun.host(2) + "/32")))));
    vertx.deployVerticle(new TunBridgeVerticleProvider().create(new ConfigSnapshot(1, ringway, "test")))
        .await(10, TimeUnit.SECONDS);

    JsonObject self = announced.poll(10, TimeUnit.SECONDS);
    assertThat(self).isNotNull();
    assertThat(self.getString("publicKey")).isEqualTo(ownKey);
    assertThat(self.getString("endpoint")).matches("127\\.0\\.0\\.1:[1-9][0-9]*");
    assertThat(self.getJsonArray("allowedPrefixes")).containsExactly(tun.host(1) + "/32");

    JsonArray registry = new JsonArray()
        .add(self)
        .add(new JsonObject().put("name", "c").put("publicKey", keyC).put("endpoint", "127.0.0.1:9")
            .put("allowedPrefixes", new JsonArray().add(tun.host(3) + "/32")))
        .add(new JsonObject().put("name", "forged-b").put("publicKey", keyB).put("allowedPrefixes", new JsonArray().add("10.1.0.0/16")))
        .add(new JsonObject().put("name", "broken").put("publicKey", "not a key").put("allowedPrefixes", new JsonArray()));
    vertx.eventBus().publish(Addresses.TUN_PEERS, TunPeers.fromJson(new JsonObject().put("peers", new JsonArray(
        registry.stream().map(peer -> ((JsonObject) peer).copy().put("owner", "test")).toList()))));

    List<String> peers = List.of();
    for (int i = 0; i < 50 && peers.size() < 2; i++) {
      Thread.sleep(100);
      peers = vertx.eventBus().<InstanceStats>request(Addresses.STATS_COLLECT, null).await(5, TimeUnit.SECONDS)
          .body().counters().getJsonArray("peers").stream().map(p -> ((JsonObject) p).getString("peer")).toList();
    }
    assertThat(peers).as("configured b, announced c; not itself, not a second b, not a broken entry").containsExactly("b", "c");
  }

  private static void requireTunAndIoUring() {
    TunFixture.requireTun();
    Capabilities.require("io_uring", Transport.IO_URING.available(), String.valueOf(Transport.IO_URING.unavailabilityCause()));
  }

  private String deployFailure(TunBridgeConfig config) {
    RingwayConfig ringway = new RingwayConfig("io_uring", 1, Map.of(), List.of("tun-bridge"), null, null).withTun(config);
    Throwable failure = vertx.deployVerticle(new TunBridgeVerticleProvider().create(new ConfigSnapshot(1, ringway, "test")))
        .toCompletionStage().toCompletableFuture().handle((id, error) -> error).join();
    assertThat(failure).as("the deployment fails").isNotNull();
    return failure.getMessage();
  }

  private TunBridgeConfig config(String keyFile, String keyEnv, List<TunPeerConfig> peers) {
    return new TunBridgeConfig(true, tun.name, null, false, 1420, List.of(tun.host(1) + "/24"), 0, 0, null, "127.0.0.1", 0,
        keyFile, keyEnv, 0, peers, null);
  }

  /** A fresh private key in the file format. */
  private static final class Base64Key {
    static String random() {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      return java.util.Base64.getEncoder().encodeToString(key);
    }
  }
}
