package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodePhase;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.message.DrainStatus;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.tcp.TcpProxyVerticleProvider;
import io.ringway.testkit.OnContext;
import io.ringway.testkit.Ports;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's server side against a real TCP proxy (two instances) moving real bytes: the page and its
 * files, the summary it reads (instances merged the way the page needs them) and the event stream.
 */
class DashboardEndpointsTest {

  private static final int BYTES = 50_000;

  private final AdminFixture admin = new AdminFixture();
  private final int proxyPort = Ports.freeTcpPort();
  private final AtomicInteger drains = new AtomicInteger();
  private NetServer echo;

  @BeforeEach
  void start() throws Exception {
    echo = admin.vertx.createNetServer()
        .connectHandler(socket -> socket.handler(socket::write).endHandler(end -> socket.end()))
        .listen(0, AdminFixture.HOST).await(10, TimeUnit.SECONDS);
    RingwayConfig config = new RingwayConfig("auto", 2, Map.of(), List.of("admin", "tcp-proxy"),
        new AdminConfig(AdminFixture.HOST, admin.port, null), new DemoUpstreamConfig(AdminFixture.HOST, 8081, 9001, "n"))
        .withClusters(List.of(ClusterConfig.of("echo", List.of(Endpoint.of(AdminFixture.HOST, echo.actualPort())))))
        .withTcp(new TcpProxyConfig(List.of(new TcpListenerConfig("l4", AdminFixture.HOST, proxyPort, "echo", null, Duration.ZERO,
            100, 0, false, List.of()))));
    ConfigSnapshot snapshot = new ConfigSnapshot(3, config, "test");
    admin.vertx.eventBus().consumer(Addresses.CONFIG_CURRENT, message -> message.reply(snapshot));
    admin.answerNodeInfo(() -> AdminFixture.info(NodePhase.READY, Instant.now().minusSeconds(90)));
    admin.vertx.eventBus().consumer(Addresses.NODE_DRAIN, message -> {
      drains.incrementAndGet();
      message.reply(new DrainStatus(NodePhase.DRAINING, Instant.now().plusSeconds(30)));
    });
    TcpProxyVerticleProvider tcp = new TcpProxyVerticleProvider();
    admin.vertx.deployVerticle(() -> tcp.create(snapshot), new DeploymentOptions().setInstances(2)).await(10, TimeUnit.SECONDS);
    admin.start(null);
  }

  @AfterEach
  void stop() throws Exception {
    admin.close();
  }

  @Test
  void thePageAndEveryFileItNamesComeFromTheJarWithAPolicyThatAllowsNothingElse() throws Exception {
    HttpResponse<Buffer> page = admin.get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.getHeader("content-security-policy")).contains("default-src 'none'", "script-src 'self'",
        "frame-ancestors 'none'");
    Matcher references = Pattern.compile("(?:src|href)=\"(/[^\"]*)\"").matcher(page.bodyAsString());
    List<String> files = new ArrayList<>();
    while (references.find()) {
      files.add(references.group(1));
    }
    assertThat(files).containsExactlyInAnyOrder("/dashboard/dashboard.css", "/dashboard/dashboard.js");
    for (String file : files) {
      HttpResponse<Buffer> asset = admin.get(file);
      assertThat(asset.statusCode()).as(file).isEqualTo(200);
      assertThat(asset.getHeader("x-content-type-options")).isEqualTo("nosniff");
      assertThat(asset.body().length()).as("%s stays small", file).isBetween(100, 40_000);
    }
    assertThat(admin.get("/dashboard/dashboard.js").getHeader("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(admin.get("/dashboard/index.html").statusCode()).isEqualTo(404);
    assertThat(admin.get("/dashboard/nope.js").statusCode()).isEqualTo(404);
  }

  @Test
  void theSummaryMergesTheInstancesAndNamesEachLoopsTransport() throws Exception {
    proxyOnce();

    JsonObject summary = admin.get("/dashboard/state").bodyAsJsonObject();

    JsonObject node = summary.getJsonObject("node");
    assertThat(node.getString("phase")).isEqualTo("READY");
    assertThat(node.getLong("configVersion")).isEqualTo(7);
    assertThat(node.getLong("uptimeSeconds")).isBetween(90L, 100L);
    assertThat(node.getJsonArray("instances")).hasSize(2);
    JsonArray loops = node.getJsonArray("loops");
    assertThat(loops).isNotEmpty();
    loops.forEach(loop -> assertThat(((JsonObject) loop).getString("transport")).isIn("io_uring", "epoll", "nio"));
    List<String> loopThreads = loops.stream().map(loop -> ((JsonObject) loop).getString("thread")).toList();
    assertThat(loopThreads).doesNotHaveDuplicates().allSatisfy(thread -> assertThat(thread).startsWith("vert.x-eventloop-thread-"));
    node.getJsonArray("instances").forEach(instance -> assertThat(loopThreads).as("each instance runs on one of the loops")
        .contains(((JsonObject) instance).getString("thread")));
    JsonObject tcp = summary.getJsonObject("verticles").getJsonObject("tcp-proxy");
    assertThat(tcp.getInteger("instances")).isEqualTo(2);
    JsonObject listener = tcp.getJsonArray("listeners").getJsonObject(0);
    assertThat(listener.getString("listener")).isEqualTo("l4");
    assertThat(listener.getInteger("port")).as("a shared state, not summed").isEqualTo(proxyPort);
    assertThat(listener.getLong("connections")).isEqualTo(1);
    assertThat(listener.getLong("bytesIn")).isEqualTo(BYTES);
    JsonObject cluster = summary.getJsonArray("clusters").getJsonObject(0);
    assertThat(cluster.getString("cluster")).isEqualTo("echo");
    assertThat(cluster.getString("loadBalancer")).isEqualTo("round_robin");
    assertThat(cluster.getJsonArray("usedBy")).containsExactly("tcp-proxy");
    JsonObject endpoint = cluster.getJsonArray("endpoints").getJsonObject(0);
    assertThat(endpoint.getString("address")).isEqualTo(AdminFixture.HOST + ":" + echo.actualPort());
    assertThat(endpoint.getBoolean("healthy")).isTrue();
    assertThat(endpoint.getLong("totalConnections")).isEqualTo(1);
    assertThat(endpoint.getLong("weight")).isEqualTo(1);
    assertThat(summary.getJsonObject("cluster").getBoolean("clustered")).isFalse();
  }

  @Test
  void theEventStreamSendsAWholeSummaryEverySecond() throws Exception {
    HttpClient client = admin.vertx.createHttpClient();
    List<String> events = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    CompletableFuture<Void> three = new CompletableFuture<>();
    StringBuilder pending = new StringBuilder();
    // Built on one context, the handler goes on in the loop turn the response arrives in, so not a chunk is
    // missed; built on this thread, the chain could run a turn late (each client call gets a fresh context).
    HttpClientResponse response = OnContext.call(admin.vertx.getOrCreateContext(), () -> client.request(HttpMethod.GET,
            admin.port, AdminFixture.HOST, "/dashboard/events")
        .compose(request -> request.send()).map(arrived -> arrived.handler(chunk -> {
          pending.append(chunk.toString());
          int end;
          while ((end = pending.indexOf("\n\n")) >= 0) {
            events.add(pending.substring(0, end));
            arrivals.add(System.nanoTime());
            pending.delete(0, end + 2);
            if (events.size() == 3) {
              three.complete(null);
            }
          }
        }))).get(10, TimeUnit.SECONDS);
    three.get(10, TimeUnit.SECONDS);
    client.close();

    assertThat(response.getHeader("content-type")).isEqualTo("text/event-stream; charset=utf-8");
    assertThat(events.get(0)).isEqualTo("retry: 2000");
    JsonObject first = summaryOf(events.get(1));
    JsonObject second = summaryOf(events.get(2));
    assertThat(second.getLong("at") - first.getLong("at")).isBetween(900L, 1500L);
    assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(1))).isBetween(800L, 1600L);
    assertThat(second.getJsonObject("verticles").getJsonObject("tcp-proxy").getInteger("instances")).isEqualTo(2);
  }

  @Test
  void aChangeFromAnotherSiteIsRefusedAndOneFromTheDashboardOrATool() throws Exception {
    String self = "http://" + AdminFixture.HOST + ":" + admin.port;

    assertThat(admin.call(HttpMethod.POST, "/drain", request -> request.putHeader("Origin", "http://evil.example"))
        .statusCode()).isEqualTo(403);
    assertThat(admin.call(HttpMethod.POST, "/drain", request -> request.putHeader("Sec-Fetch-Site", "cross-site"))
        .statusCode()).isEqualTo(403);
    assertThat(admin.call(HttpMethod.POST, "/drain", request -> request.putHeader("Sec-Fetch-Site", "same-site"))
        .statusCode()).as("another port of localhost is another origin").isEqualTo(403);
    assertThat(drains).hasValue(0);

    assertThat(admin.call(HttpMethod.POST, "/drain", request -> request.putHeader("Origin", self)
        .putHeader("Sec-Fetch-Site", "same-origin")).statusCode()).isEqualTo(202);
    assertThat(admin.call(HttpMethod.POST, "/drain", request -> request).statusCode()).isEqualTo(202);
    assertThat(drains).hasValue(2);
    assertThat(admin.call(HttpMethod.GET, "/info", request -> request.putHeader("Origin", "http://evil.example"))
        .statusCode()).as("reading is not changing").isEqualTo(200);
  }

  private static JsonObject summaryOf(String event) {
    assertThat(event).startsWith("event: summary\ndata: ");
    return new JsonObject(event.substring("event: summary\ndata: ".length()));
  }

  /** One connection through the proxy, then waits until the proxy counted it (when both sides closed). */
  private void proxyOnce() throws Exception {
    byte[] sent = new byte[BYTES];
    try (Socket socket = new Socket(AdminFixture.HOST, proxyPort)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(sent);
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      assertThat(in.readAllBytes()).hasSize(BYTES);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline && !admin.get("/stats").bodyAsString().contains("ringway_tcp_proxy_in_flight 0")) {
      Thread.sleep(20);
    }
  }
}
