package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A whole node in this JVM, on the transport and loop count the launcher would pick. */
class NodeVerticleTest {

  private static final int LOOPS = 4;

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachDataPlaneInstanceLivesOnItsOwnEventLoopForItsWholeLife() throws Exception {
    PluginCatalog catalog = PluginCatalog.load();
    TransportSelector.Selection transport = TransportSelector.select("auto", catalog.transports());
    Capabilities.require("io_uring", transport.plugin().name().equals("io_uring"), transport.explanation());
    LoopProbeVerticleProvider.port = Ports.freeTcpPort();
    ConfigSnapshot snapshot = snapshot(catalog, new JsonObject()
        .put("eventLoops", LOOPS)
        .put("verticles", new JsonArray().add("loop-probe")));
    vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(LOOPS))
        .withTransport(transport.plugin().create(new JsonObject()))
        .build();

    vertx.deployVerticle(new NodeVerticle(catalog, RingwayLauncher.loader(catalog), null, snapshot, transport.plugin(), null))
        .await(20, TimeUnit.SECONDS);
    exchangeOnManyConnections(64);

    Map<Integer, Set<String>> seen = LoopProbeVerticleProvider.THREADS_BY_INSTANCE;
    assertThat(seen).hasSize(LOOPS);
    assertThat(seen.values()).allSatisfy(threads -> assertThat(threads).hasSize(1));
    Set<String> loops = new HashSet<>();
    seen.values().forEach(loops::addAll);
    assertThat(loops).hasSize(LOOPS).allSatisfy(name -> assertThat(name).startsWith("vert.x-eventloop-thread-"));
    assertThat(LoopProbeVerticleProvider.CONNECTIONS).hasValue(64);

    NodeInfo info = vertx.eventBus().<NodeInfo>request(Addresses.NODE_INFO, null).await(5, TimeUnit.SECONDS).body();
    assertThat(info.transport()).isEqualTo("io_uring");
    assertThat(info.phase()).isEqualTo(NodePhase.READY);
    assertThat(info.eventLoops()).isEqualTo(LOOPS);
  }

  private void exchangeOnManyConnections(int count) throws Exception {
    NetClient client = vertx.createNetClient();
    List<NetSocket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NetSocket socket = client.connect(LoopProbeVerticleProvider.port, "127.0.0.1").await(5, TimeUnit.SECONDS);
      var echoed = new java.util.concurrent.CompletableFuture<Void>();
      socket.handler(data -> echoed.complete(null));
      socket.write("ping " + i);
      echoed.get(5, TimeUnit.SECONDS);
      sockets.add(socket);
    }
    for (NetSocket socket : sockets) {
      socket.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static ConfigSnapshot snapshot(PluginCatalog catalog, JsonObject document) {
    ConfigResult result = new ConfigLoader(catalog, Map.of(), Map.of()).parse(document);
    assertThat(result.errors()).isEmpty();
    return new ConfigSnapshot(1, result.config(), "test");
  }
}
