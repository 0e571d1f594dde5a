package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.WarmupReport;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.testkit.LogWatch;
import io.ringway.testkit.Ports;
import io.ringway.testkit.TestPki;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code warmup}: a whole node in this JVM that runs its data path hot before it binds its own listeners. */
class NodeWarmupTest {

  private Vertx upstreams;
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private final AtomicInteger upstreamConnections = new AtomicInteger();
  private int upstreamHttp;
  private int upstreamTcp;

  /** The node's configured upstreams, in a Vert.x of their own, counting what reaches them. */
  @BeforeEach
  void startUpstreams() throws Exception {
    upstreams = Vertx.vertx();
    HttpServer http = upstreams.createHttpServer().requestHandler(request -> {
      upstreamRequests.incrementAndGet();
      request.response().end("configured upstream");
    });
    NetServer tcp = upstreams.createNetServer().connectHandler(socket -> {
      upstreamConnections.incrementAndGet();
      socket.pipeTo(socket);
    });
    upstreamHttp = http.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    upstreamTcp = tcp.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stopUpstreams() throws Exception {
    upstreams.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theNodeBindsItsListenersAfterAWarmupThatNeverReachesItsUpstreamsAndLeavesNothingBehind() throws Exception {
    int http = Ports.freeTcpPort();
    int tcp = Ports.freeTcpPort();
    int admin = Ports.freeTcpPort();
    JsonObject document = new JsonObject()
        .put("eventLoops", 2)
        .put("verticles", new JsonArray().add("admin").add("tcp-proxy").add("http-router"))
        .put("admin", new JsonObject().put("port", admin))
        .put("clusters", new JsonArray()
            .add(cluster("web", upstreamHttp))
            .add(cluster("echo", upstreamTcp)))
        .put("tcp", new JsonObject().put("listeners", new JsonArray().add(new JsonObject()
            .put("name", "echo").put("host", "127.0.0.1").put("port", tcp).put("cluster", "echo"))))
        .put("http", new JsonObject()
            .put("listeners", new JsonArray().add(new JsonObject().put("name", "web").put("host", "127.0.0.1").put("port", http)))
            .put("routes", new JsonArray().add(new JsonObject().put("name", "all").put("target", "web"))))
        .put("warmup", new JsonObject().put("enabled", true).put("maxDuration", "3s"));
    AtomicLong firstAccepted = new AtomicLong();
    Thread prober = Thread.ofPlatform().name("probe-http-port").start(() -> awaitFirstConnect(http, firstAccepted));
    long started = System.nanoTime();

    try (LiveNode node = LiveNode.start(document)) {
      prober.join(10_000);
      NodeInfo info = node.vertx.eventBus().<NodeInfo>request(Addresses.NODE_INFO, null).await(5, TimeUnit.SECONDS).body();
      WarmupReport warmup = info.warmup();

      assertThat(warmup.skipped()).as("why the warm-up was skipped").isNull();
      assertThat(warmup.requests()).as("requests the warm-up's load had answered").isGreaterThan(50);
      assertThat(warmup.failures()).isZero();
      // Two quiet seconds at the least before it counts the JIT as settled. At maxDuration each client ends the
      // request it is in, which a loaded machine may hold up to the clients' 5 s timeout.
      assertThat(warmup.millis()).isBetween(2_000L, 8_000L);
      assertThat(upstreamRequests).as("requests the configured HTTP upstream saw during the warm-up").hasValue(0);
      assertThat(upstreamConnections).as("connections the configured TCP upstream saw during the warm-up").hasValue(0);
      assertThat(TimeUnit.NANOSECONDS.toMillis(firstAccepted.get() - started))
          .as("ms from the start to the first connection the node's HTTP port accepted").isGreaterThanOrEqualTo(warmup.millis());
      // The root, the config watcher and the three configured verticles: nothing of the warm-up's is still deployed.
      assertThat(node.vertx.deploymentIDs()).hasSize(5);
      assertThat(warmupThreadsGone()).as("the warm-up's threads ended").isTrue();

      assertThat(LiveNode.get(http, "/")).isEqualTo("configured upstream");
      assertThat(upstreamRequests).hasValue(1);
      assertThat(echoThrough(tcp, "ping")).isEqualTo("ping");
      assertThat(new JsonObject(node.get("/info")).getJsonObject("warmup").getLong("requests")).isEqualTo(warmup.requests());
    }
  }

  @Test
  void aNodeWithATlsListenerWarmsUpHandshakesOnItsOwnCertificate(@TempDir Path dir) throws Exception {
    TestPki.Issued certificate = TestPki.create(dir).server("node", "localhost", "127.0.0.1");
    int https = Ports.freeTcpPort();
    JsonObject document = new JsonObject()
        .put("eventLoops", 1)
        .put("verticles", new JsonArray().add("admin").add("http-router"))
        .put("admin", new JsonObject().put("port", Ports.freeTcpPort()))
        .put("clusters", new JsonArray().add(cluster("web", upstreamHttp)))
        .put("http", new JsonObject()
            .put("listeners", new JsonArray().add(new JsonObject().put("name", "secure").put("host", "127.0.0.1")
                .put("port", https).put("tls", tls(certificate))))
            .put("routes", new JsonArray().add(new JsonObject().put("name", "all").put("target", "web"))))
        .put("warmup", new JsonObject().put("enabled", true).put("maxDuration", "3s"));
    List<String> logged = new CopyOnWriteArrayList<>();
    SimpleFormatter formatter = new SimpleFormatter();

    try (LogWatch watch = LogWatch.on(NodeWarmup.class.getName(), record -> logged.add(formatter.formatMessage(record)));
         LiveNode node = LiveNode.start(document)) {
      WarmupReport warmup = node.vertx.eventBus().<NodeInfo>request(Addresses.NODE_INFO, null).await(5, TimeUnit.SECONDS)
          .body().warmup();

      assertThat(logged).as("the warm-up's log").anyMatch(line -> line.contains("TLS on " + certificate.certFile()));
      // A TLS client that could not connect, handshake or get its answer counts as a failure.
      assertThat(warmup.failures()).as("failed warm-up connections, TLS ones included").isZero();
      assertThat(warmup.requests()).isGreaterThan(50);
      assertThat(upstreamRequests).as("requests the configured upstream saw during the warm-up").hasValue(0);
    }
  }

  @Test
  void aWarmupThatCannotRunLetsTheNodeStartColdAndSaysWhy() throws Exception {
    PluginCatalog loaded = PluginCatalog.load();
    PluginCatalog catalog = new PluginCatalog(loaded.transports(),
        List.of(new RouterProvider(Future.failedFuture("the router cannot start here"))));
    ConfigResult result = new ConfigLoader(catalog, Map.of(), Map.of()).parse(new JsonObject()
        .put("verticles", new JsonArray().add("http-router"))
        .put("warmup", new JsonObject().put("enabled", true)));
    assertThat(result.errors()).isEmpty();
    RingwayConfig config = result.config();
    Vertx vertx = Vertx.vertx();
    try {
      WarmupReport report = new NodeWarmup(vertx, catalog, config).run().await(20, TimeUnit.SECONDS);

      assertThat(report.skipped()).contains("the router cannot start here");
      assertThat(report.requests()).isZero();
      assertThat(vertx.deploymentIDs()).as("deployments the failed warm-up left").isEmpty();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The router's HTTP/2 path gets warm too: h2c by prior knowledge on a plain listener, h2 by ALPN on a TLS one; and
   * with a listener on the byte-level HTTP/1 path, the warm-up's own listener runs it.
   */
  @Test
  void http2StreamsRunThroughH2cAndTlsListeners(@TempDir Path dir) throws Exception {
    TestPki.Issued certificate = TestPki.create(dir).server("node", "localhost");
    PluginCatalog catalog = PluginCatalog.load();
    ConfigResult result = new ConfigLoader(catalog, Map.of(), Map.of()).parse(new JsonObject()
        .put("verticles", new JsonArray().add("http-router"))
        .put("clusters", new JsonArray().add(cluster("web", upstreamHttp)))
        .put("http", new JsonObject()
            .put("listeners", new JsonArray()
                .add(new JsonObject().put("name", "plain").put("host", "127.0.0.1").put("port", Ports.freeTcpPort())
                    .put("byteLevelHttp1", true))
                .add(new JsonObject().put("name", "secure").put("host", "127.0.0.1").put("port", Ports.freeTcpPort())
                    .put("tls", tls(certificate))))
            .put("routes", new JsonArray().add(new JsonObject().put("name", "all").put("target", "web"))))
        .put("warmup", new JsonObject().put("enabled", true).put("maxDuration", "2s")));
    assertThat(result.errors()).isEmpty();
    // On a transport plugin, as a node runs: it installs the router's strict decoder on h2c listeners.
    Vertx vertx = Vertx.builder()
        .withTransport(TransportSelector.select("auto", catalog.transports()).plugin().create(new JsonObject())).build();
    try {
      NodeWarmup warmup = new NodeWarmup(vertx, catalog, result.config());
      WarmupReport report = warmup.run().await(60, TimeUnit.SECONDS);

      assertThat(report.skipped()).isNull();
      assertThat(report.failures()).as("failed warm-up requests, HTTP/2 ones included").isZero();
      // The certificate names localhost only: the load's clients trust it without checking the name.
      assertThat(warmup.http2Requests()).as("HTTP/2 requests answered, per kind")
          .hasEntrySatisfying("h2c", answered -> assertThat(answered).isGreaterThan(10))
          .hasEntrySatisfying("h2", answered -> assertThat(answered).isGreaterThan(10));
      assertThat(upstreamRequests).as("requests the configured upstream saw during the warm-up").hasValue(0);
      assertThat(vertx.deploymentIDs()).as("deployments the warm-up left").isEmpty();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A warm-up is bounded: a router whose start never completes cannot hold the node's start for ever. */
  @Test
  void aWarmupThatHangsInItsSetUpEndsAfterItsBoundAndTheNodeStartsCold() throws Exception {
    PluginCatalog loaded = PluginCatalog.load();
    PluginCatalog catalog = new PluginCatalog(loaded.transports(),
        List.of(new RouterProvider(Promise.<Void>promise().future())));
    RingwayConfig config = new ConfigLoader(catalog, Map.of(), Map.of()).parse(new JsonObject()
        .put("verticles", new JsonArray().add("http-router"))
        .put("warmup", new JsonObject().put("enabled", true).put("maxDuration", "1s"))).config();
    Vertx vertx = Vertx.vertx();
    try {
      long started = System.nanoTime();
      WarmupReport report = new NodeWarmup(vertx, catalog, config).run().await(60, TimeUnit.SECONDS);

      assertThat(report.skipped()).as("why the warm-up was skipped")
          .startsWith("not over after 31s (maxDuration 1s and 30s to set up)");
      // maxDuration and the 30 s allowed for setting up, plus the teardown of the upstream
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(31), Duration.ofSeconds(45));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void noWarmupUnlessConfigAsksForOne() throws Exception {
    PluginCatalog catalog = PluginCatalog.load();
    RingwayConfig config = new ConfigLoader(catalog, Map.of(), Map.of()).parse(new JsonObject()
        .put("verticles", new JsonArray().add("http-router"))).config();
    Vertx vertx = Vertx.vertx();
    try {
      assertThat(new NodeWarmup(vertx, catalog, config).run().await(5, TimeUnit.SECONDS)).isNull();
      assertThat(vertx.deploymentIDs()).isEmpty();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Under the real router's name, a router whose every instance's start ends as {@code started} does. */
  private record RouterProvider(Future<Void> started) implements VerticleProvider {

    @Override
    public String name() {
      return "http-router";
    }

    @Override
    public boolean perEventLoop() {
      return true;
    }

    @Override
    public Deployable create(ConfigSnapshot snapshot) {
      return new VerticleBase() {
        @Override
        public Future<?> start() {
          return started;
        }
      };
    }
  }

  /** Whether the warm-up's load and its monitor have ended; the monitor may still be returning for a moment. */
  private static boolean warmupThreadsGone() throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      if (Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
          .noneMatch(name -> name.startsWith("train-") || name.startsWith("ringway-warmup"))) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** A listener's {@code tls} section serving {@code certificate}. */
  private static JsonObject tls(TestPki.Issued certificate) {
    return new JsonObject().put("certificates", new JsonArray().add(new JsonObject()
        .put("certFile", certificate.certFile().toString()).put("keyFile", certificate.keyFile().toString())));
  }

  private static JsonObject cluster(String name, int port) {
    return new JsonObject().put("name", name)
        .put("endpoints", new JsonArray().add(new JsonObject().put("host", "127.0.0.1").put("port", port)));
  }

  /** Tries to connect every 20 ms until it can, for at most a minute; records when it first could. */
  private static void awaitFirstConnect(int port, AtomicLong at) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
        at.set(System.nanoTime());
        return;
      } catch (IOException refused) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static String echoThrough(int port, String text) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(text.length()), StandardCharsets.US_ASCII);
    }
  }
}
