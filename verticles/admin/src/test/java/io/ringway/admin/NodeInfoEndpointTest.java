package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.WarmupReport;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.StatsRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeInfoEndpointTest {

  private final AdminFixture admin = new AdminFixture();

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void infoReportsWhatTheNodeSaysWithItsUptime() throws Exception {
    Instant startedAt = Instant.now().minus(90, ChronoUnit.SECONDS).truncatedTo(ChronoUnit.MILLIS);
    admin.answerNodeInfo(() -> AdminFixture.info(NodePhase.READY, startedAt));
    admin.start(null);

    HttpResponse<Buffer> response = admin.get("/info");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject info = response.bodyAsJsonObject();
    assertThat(info.fieldNames()).containsExactlyInAnyOrder(
        "version", "transport", "eventLoops", "configVersion", "phase", "startedAt", "uptimeSeconds", "ioPaths",
        "affinity", "loops", "warmup", "tunDevices", "tlsListeners");
    assertThat(info.getValue("warmup")).as("config asked for no warm-up").isNull();
    assertThat(info.getJsonObject("ioPaths")).as("no verticle reports an I/O path").isEmpty();
    assertThat(info.getJsonObject("tunDevices")).isEmpty();
    assertThat(info.getString("version")).isEqualTo("1.2.3");
    assertThat(info.getString("transport")).isEqualTo("io_uring");
    assertThat(info.getInteger("eventLoops")).isEqualTo(4);
    assertThat(info.getLong("configVersion")).isEqualTo(7);
    assertThat(info.getString("phase")).isEqualTo("READY");
    assertThat(Instant.parse(info.getString("startedAt"))).isEqualTo(startedAt);
    assertThat(info.getLong("uptimeSeconds")).isBetween(90L, 120L);
    assertThat(info.getString("affinity")).isEqualTo("[1, 0]");
    assertThat(info.getJsonArray("loops").encode()).isEqualTo(
        "[{\"thread\":\"vert.x-eventloop-thread-0\",\"cpus\":\"1\"},{\"thread\":\"vert.x-eventloop-thread-1\",\"cpus\":\"0\"}]");
  }

  @Test
  void infoSaysWhatTheStartUpWarmupDid() throws Exception {
    NodeInfo plain = AdminFixture.info(NodePhase.READY, Instant.now());
    admin.answerNodeInfo(() -> new NodeInfo(plain.version(), plain.transport(), plain.eventLoops(), plain.configVersion(),
        plain.startedAt(), plain.phase(), plain.affinity(), plain.loops(), new WarmupReport(17_849, 84_558, 2, 13_069, true, null)));
    admin.start(null);

    JsonObject warmup = admin.get("/info").bodyAsJsonObject().getJsonObject("warmup");

    assertThat(warmup).isEqualTo(new JsonObject().put("millis", 17_849).put("requests", 84_558).put("failures", 2)
        .put("compileMillis", 13_069).put("settled", true).putNull("skipped"));
  }

  @Test
  void infoNamesTheIoPathEachVerticleReportsInItsStats() throws Exception {
    admin.answerNodeInfo(() -> AdminFixture.info(NodePhase.READY, Instant.now()));
    // What the TUN bridge answers on the stats address (its module needs root and a TUN device to deploy).
    admin.vertx.eventBus().consumer(Addresses.STATS_COLLECT, message -> StatsRequest.answer(admin.vertx, message,
        new InstanceStats("tun-bridge", "tun-bridge-1", 1, 0, new JsonObject().put("ioPath", "io_uring")
            .put("device", "ringway0").put("queues", 2)
            .put("cipher", new JsonObject().put("config", "auto").put("offers", new JsonArray().add("aes-256-gcm")))
            .put("offloads", new JsonObject().put("config", "auto").put("vnetHeader", true)
                .put("granted", new JsonArray().add("csum").add("tso4")).put("udpGso", true).put("udpGro", false)
                .put("superPacketsRead", 5)))));
    admin.vertx.eventBus().consumer(Addresses.STATS_COLLECT, message -> StatsRequest.answer(admin.vertx, message,
        new InstanceStats("tcp-proxy", "tcp-proxy-1", 1, 0, new JsonObject().put("listeners", new JsonArray()))));
    admin.vertx.eventBus().consumer(Addresses.STATS_COLLECT, message -> StatsRequest.answer(admin.vertx, message,
        new InstanceStats("http-router", "http-router-1", 1, 0, new JsonObject().put("listeners", new JsonArray()
            .add(new JsonObject().put("listener", "web").put("tls", false))
            .add(new JsonObject().put("listener", "secure").put("tls", new JsonObject().put("engine", "openssl")
                .put("sni", true).put("clientAuth", "require").put("protocols", new JsonArray().add("TLSv1.3"))
                .put("reloads", 2)))))));
    admin.start(null);

    JsonObject info = admin.get("/info").bodyAsJsonObject();

    assertThat(info.getJsonObject("ioPaths")).isEqualTo(new JsonObject().put("tun-bridge", "io_uring"));
    assertThat(info.getJsonObject("tunDevices")).isEqualTo(new JsonObject().put("ringway0", new JsonObject()
        .put("ioPath", "io_uring").put("queues", 2)
        .put("cipher", new JsonObject().put("config", "auto").put("offers", new JsonArray().add("aes-256-gcm")))
        .put("offloads", "auto").put("vnetHeader", true)
        .put("granted", new JsonArray().add("csum").add("tso4")).put("udpGso", true).put("udpGro", false)));
    assertThat(info.getJsonObject("tlsListeners")).isEqualTo(new JsonObject().put("secure", new JsonObject()
        .put("engine", "openssl").put("sni", true).put("clientAuth", "require")
        .put("protocols", new JsonArray().add("TLSv1.3"))));
  }

  @Test
  void infoIs503WhenNobodyAnswersNodeInfo() throws Exception {
    admin.start(null);

    HttpResponse<Buffer> response = admin.get("/info");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("error")).startsWith("node info unavailable: ");
  }
}
