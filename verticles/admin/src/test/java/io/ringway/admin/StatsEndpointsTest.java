package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.tcp.TcpProxyVerticleProvider;
import io.ringway.testkit.Ports;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stats, clusters and config endpoints against a real TCP proxy (two instances) moving real bytes
 * to a real echo server: what the endpoints say must be what went through.
 */
class StatsEndpointsTest {

  private static final int BYTES = 100_000;

  private final AdminFixture admin = new AdminFixture();
  private final int proxyPort = Ports.freeTcpPort();
  private NetServer echo;
  private ConfigSnapshot snapshot;

  @BeforeEach
  void start() throws Exception {
    echo = admin.vertx.createNetServer()
        .connectHandler(socket -> socket.handler(socket::write).endHandler(end -> socket.end()))
        .listen(0, AdminFixture.HOST).await(10, TimeUnit.SECONDS);
    RingwayConfig config = new RingwayConfig("auto", 2, Map.of(), List.of("admin", "tcp-proxy"),
        new AdminConfig(AdminFixture.HOST, admin.port, "s3cret-token"), new DemoUpstreamConfig(AdminFixture.HOST, 8081, 9001, "n"))
        .withClusters(List.of(ClusterConfig.of("echo", List.of(Endpoint.of(AdminFixture.HOST, echo.actualPort())))))
        .withTcp(new TcpProxyConfig(List.of(new TcpListenerConfig("l4", AdminFixture.HOST, proxyPort, "echo", null, Duration.ZERO,
            100, 0, false, List.of()))));
    snapshot = new ConfigSnapshot(4, config, "test");
    admin.vertx.eventBus().consumer(Addresses.CONFIG_CURRENT, message -> message.reply(snapshot));
    TcpProxyVerticleProvider tcp = new TcpProxyVerticleProvider();
    admin.vertx.deployVerticle(() -> tcp.create(snapshot), new DeploymentOptions().setInstances(2)).await(10, TimeUnit.SECONDS);
    admin.start(null);
  }

  @AfterEach
  void stop() throws Exception {
    admin.close();
  }

  @Test
  void statsReportWhatWentThroughInPrometheusTextWithJvmAndEventLoopMeters() throws Exception {
    proxyOnce();

    HttpResponse<Buffer> stats = admin.get("/stats");

    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.getHeader("content-type")).startsWith("text/plain; version=0.0.4");
    String labels = "{listener=\"l4\",host=\"127.0.0.1\",port=\"" + proxyPort + "\",cluster=\"echo\"}";
    assertThat(stats.bodyAsString().lines()).contains(
        "ringway_stats_complete 1",
        "ringway_verticle_instances{verticle=\"tcp-proxy\"} 2",
        "ringway_tcp_proxy_listener_bytes_in_total" + labels + " " + BYTES,
        "ringway_tcp_proxy_listener_bytes_out_total" + labels + " " + BYTES,
        "ringway_tcp_proxy_listener_connections_total" + labels + " 1",
        "ringway_tcp_proxy_in_flight 0");
    assertThat(stats.bodyAsString()).contains("jvm_memory_used_bytes{", "ringway_event_loop_pending_tasks{loop=\"0\"}",
        "process_uptime_seconds");
  }

  @Test
  void statsAsJsonListEveryInstanceAndAnUnknownScopeIsRefused() throws Exception {
    JsonObject json = admin.get("/stats?format=json").bodyAsJsonObject();
    assertThat(json.getBoolean("complete")).isTrue();
    assertThat(json.getJsonArray("instances")).hasSize(2);
    // standalone, the cluster is this node
    assertThat(admin.get("/stats?scope=cluster&format=json").bodyAsJsonObject().getJsonArray("instances")).hasSize(2);

    HttpResponse<Buffer> bad = admin.get("/stats?scope=galaxy");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("scope: expected node or cluster, got \"galaxy\"");
  }

  @Test
  void clustersShowEachEndpointWithHealthAndConnectionsSummedOverInstances() throws Exception {
    proxyOnce();

    JsonObject cluster = admin.get("/clusters").bodyAsJsonObject().getJsonArray("clusters").getJsonObject(0);

    assertThat(cluster.getString("name")).isEqualTo("echo");
    assertThat(cluster.getString("loadBalancer")).isEqualTo("round_robin");
    assertThat(cluster.getJsonArray("usedBy")).containsExactly("tcp-proxy");
    JsonObject endpoint = cluster.getJsonArray("endpoints").getJsonObject(0);
    assertThat(endpoint.getString("address")).isEqualTo(AdminFixture.HOST + ":" + echo.actualPort());
    assertThat(endpoint.getBoolean("healthy")).isTrue();
    assertThat(endpoint.getLong("totalConnections")).isEqualTo(1);
  }

  @Test
  void configShowsTheVersionInForceAndNeverTheToken() throws Exception {
    JsonObject config = admin.get("/config").bodyAsJsonObject();

    assertThat(config.getLong("version")).isEqualTo(4);
    assertThat(config.getJsonObject("config").getJsonObject("admin").getString("token")).isEqualTo("<redacted>");
    assertThat(config.getJsonObject("config").getJsonObject("admin").getString("drainTimeout")).isEqualTo("30s");
    assertThat(config.getJsonObject("config").getJsonObject("tcp").getJsonArray("listeners").getJsonObject(0)
        .getInteger("port")).isEqualTo(proxyPort);
    assertThat(config.encode()).doesNotContain("s3cret-token");
  }

  /** One connection through the proxy: BYTES each way, then closed by both sides. */
  private void proxyOnce() throws Exception {
    byte[] sent = new byte[BYTES];
    new Random(1).nextBytes(sent);
    try (Socket socket = new Socket(AdminFixture.HOST, proxyPort)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(sent);
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      assertThat(in.readAllBytes()).isEqualTo(sent);
    }
    // the proxy counts a connection when both sides are closed; wait for it rather than race it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline && !admin.get("/stats").bodyAsString().contains("ringway_tcp_proxy_in_flight 0")) {
      Thread.sleep(20);
    }
  }
}
