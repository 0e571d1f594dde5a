package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import io.ringway.transport.uring.IoUringTransportPlugin;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a user runs it: its commands, exit codes and a live node. */
class RingwayJarIT {

  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final String NO_NATIVE = "-Dio.netty.transport.noNative=true";

  @TempDir
  Path dir;

  private final int adminPort = Ports.freeTcpPort();
  private final int tcpProxyPort = Ports.freeTcpPort();
  private final int httpRouterPort = Ports.freeTcpPort();

  private List<String> freePorts(String... more) {
    return RingwayProcess.defaultConfigOn(adminPort, tcpProxyPort, httpRouterPort, more);
  }

  @Test
  void startsFromAnyDirectoryOnIoUringWithTheJarsDefaultConfig() throws Exception {
    IoUringTransportPlugin ioUring = new IoUringTransportPlugin();
    Capabilities.require("io_uring", ioUring.isAvailable(), ioUring.unavailabilityCause());

    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts())) {
      ringway.awaitStatus(adminPort, "/ready", 200, STARTUP);
      JsonObject info = new JsonObject(ringway.awaitStatus(adminPort, "/info", 200, STARTUP));

      assertThat(info.getString("transport")).isEqualTo("io_uring");
      assertThat(info.getInteger("eventLoops")).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(info.getLong("configVersion")).isEqualTo(1L);
      assertThat(ringway.output()).contains("transport: io_uring (auto)", "config v1 from jar:conf/ringway.yaml");
      assertThat(ringway.awaitStatus(adminPort, "/healthz", 200, STARTUP)).isNotEmpty();
      assertProxiesOutOfTheBox();
    }
  }

  @Test
  void postDrainTurnsReadyTo503StopsAcceptingAndLetsOpenConnectionsFinish() throws Exception {
    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts());
         Socket open = awaitProxiedConnection(ringway)) {
      HttpResponse<String> drain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + adminPort + "/drain")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(drain.statusCode()).isEqualTo(202);
      assertThat(new JsonObject(drain.body()).getString("phase")).isEqualTo("DRAINING");
      assertThat(new JsonObject(ringway.awaitStatus(adminPort, "/ready", 503, STARTUP)).getString("phase")).isEqualTo("DRAINING");
      assertEchoes(open, "still served while draining");
      ringway.awaitOutput("draining: stopped accepting", STARTUP);
      assertThat(refusesNewConnections(tcpProxyPort)).as("new TCP connections refused while draining").isTrue();
      assertThat(refusesNewConnections(httpRouterPort)).as("new HTTP connections refused while draining").isTrue();
    }
  }

  @Test
  void sigtermWaitsForInFlightConnectionsThenExitsZero() throws Exception {
    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts())) {
      Socket open = awaitProxiedConnection(ringway);
      ringway.terminate();
      ringway.awaitOutput("draining: stopped accepting", STARTUP);

      assertThat(ringway.awaitExit(Duration.ofSeconds(1))).as("exited with a connection in flight").isNull();
      assertEchoes(open, "still served after SIGTERM");
      open.close();
      assertThat(ringway.awaitExit(Duration.ofSeconds(10))).as("exit code once drained").isEqualTo(0);
      assertThat(ringway.output()).contains("drained: nothing in flight");
    }
  }

  @Test
  void sigtermDuringTheWarmupStopsAtOnceAndSaysWhy() throws Exception {
    try (RingwayProcess ringway = RingwayProcess.start(dir,
        freePorts("-Dringway.warmup.enabled=true", "-Dringway.warmup.maxDuration=50s"))) {
      ringway.awaitOutput("warm-up: running [tcp-proxy, http-router] on loopback for at most 50s", STARTUP);
      ringway.terminate();

      assertThat(ringway.awaitExit(Duration.ofSeconds(10))).as("exit code of a node stopped before ready\n" + ringway.output())
          .isEqualTo(143);
      assertThat(ringway.output()).contains("ringway: SIGTERM before the node was ready; stopping")
          .doesNotContain("cannot start");
    }
  }

  @Test
  void sigtermUnderLoadFinishesEveryRequestInFlightBeforeExit() throws Exception {
    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts())) {
      ringway.awaitStatus(adminPort, "/ready", 200, STARTUP);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        inFlight.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpRouterPort + "/delay/1500"))
            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      awaitInFlight(32);

      ringway.terminate();

      for (var response : inFlight) {
        assertThat(response.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode()).as("a request in flight at SIGTERM")
            .isEqualTo(200);
      }
      assertThat(ringway.awaitExit(Duration.ofSeconds(10))).as("exit code once drained").isEqualTo(0);
      assertThat(ringway.output()).contains("drained: nothing in flight");
    }
  }

  /** Waits until the router counts {@code count} requests in flight, from the admin API's JSON stats. */
  private void awaitInFlight(long count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + adminPort + "/stats?format=json")).build(), HttpResponse.BodyHandlers.ofString());
      seen = new JsonObject(stats.body()).getJsonArray("instances").stream().map(JsonObject.class::cast)
          .filter(instance -> "http-router".equals(instance.getString("verticle")))
          .mapToLong(instance -> instance.getLong("inFlight")).sum();
      if (seen >= count) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(count + " requests never in flight at once (last seen " + seen + ")");
  }

  /** A connection through the TCP proxy that has echoed once, once the node is ready. */
  private Socket awaitProxiedConnection(RingwayProcess ringway) throws Exception {
    ringway.awaitStatus(adminPort, "/ready", 200, STARTUP);
    Socket socket = new Socket("127.0.0.1", tcpProxyPort);
    socket.setSoTimeout(5_000);
    assertEchoes(socket, "first echo");
    return socket;
  }

  private static void assertEchoes(Socket socket, String what) throws Exception {
    byte[] ping = what.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    socket.getOutputStream().write(ping);
    assertThat(socket.getInputStream().readNBytes(ping.length)).as(what).isEqualTo(ping);
  }

  /** Whether a new connection is refused, or accepted and closed without an answer; a silent wait is not. */
  private static boolean refusesNewConnections(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException stillListening) {
      return false;
    } catch (java.io.IOException refusedOrReset) {
      return true;
    }
  }

  /** What the README promises right after start: HTTP through the router to the demo upstream, TCP through the L4 proxy. */
  private void assertProxiesOutOfTheBox() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> greeting = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpRouterPort + "/"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(greeting.statusCode()).isEqualTo(200);
    assertThat(greeting.headers().firstValue("via")).hasValue("1.1 ringway");
    byte[] file = new byte[256 * 1024];
    new Random(7).nextBytes(file);
    HttpResponse<byte[]> echo = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpRouterPort + "/echo"))
        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(echo.body()).isEqualTo(file);
    // The JDK client asks for h2c with an Upgrade on its first request; the router must take it.
    HttpResponse<String> h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpRouterPort + "/")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(h2c.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(h2c.statusCode()).isEqualTo(200);

    try (Socket socket = new Socket("127.0.0.1", tcpProxyPort)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(file);
      socket.shutdownOutput();
      assertThat(socket.getInputStream().readAllBytes()).isEqualTo(file);
    }
  }

  /**
   * The shaded jar's OpenTelemetry exporter works as packaged: one version of every OpenTelemetry artifact went in
   * (a test dependency once pulled an older opentelemetry-api into the jar, and every export failed there while the
   * module's own tests passed).
   */
  @Test
  void theJarExportsTheRoutersSpansOverOtlp() throws Exception {
    java.util.concurrent.BlockingQueue<byte[]> exports = new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      if ("application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("content-type"))) {
        exports.add(exchange.getRequestBody().readAllBytes());
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts("-Dringway.http.tracing.endpoint=http://127.0.0.1:"
        + collector.getAddress().getPort() + "/v1/traces"))) {
      ringway.awaitStatus(adminPort, "/ready", 200, STARTUP);
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      try (java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient()) {
        java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + httpRouterPort + "/"))
            .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      byte[] export = exports.poll(15, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(export).as("an OTLP export from the jar; its log:%n%s", ringway.output()).isNotNull();
      assertThat(java.util.HexFormat.of().formatHex(export)).contains(traceId);
      assertThat(ringway.output()).doesNotContain("Failed to export");
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void autoFallsBackAndSaysWhyWhenNativeTransportsAreOff() throws Exception {
    try (RingwayProcess ringway = RingwayProcess.start(dir, freePorts(NO_NATIVE))) {
      JsonObject info = new JsonObject(ringway.awaitStatus(adminPort, "/info", 200, STARTUP));

      assertThat(info.getString("transport")).isEqualTo("nio");
      assertThat(ringway.output())
          .contains("transport: nio (auto; io_uring skipped: ")
          .contains("epoll skipped: ")
          .contains("noNative");
    }
  }

  @Test
  void explicitUnavailableTransportIsAStartupErrorWithTheCause() throws Exception {
    Path conf = Files.writeString(dir.resolve("uring.yaml"), "transport: io_uring\nverticles: [admin]\n");

    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, List.of("-Dringway.admin.port=" + adminPort, NO_NATIVE),
        "--conf", conf.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .contains("ringway: transport: io_uring was asked for but is not available: ")
        .contains("noNative")
        .doesNotContain("\tat ");
  }

  @Test
  void transportsCommandListsIoUringAsAvailable() throws Exception {
    IoUringTransportPlugin ioUring = new IoUringTransportPlugin();
    Capabilities.require("io_uring", ioUring.isAvailable(), ioUring.unavailabilityCause());

    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, List.of(), "transports");

    assertThat(run.exitCode()).isZero();
    assertThat(run.output()).containsPattern("(?m)^io_uring +available$").contains("auto -> io_uring");
  }

  @Test
  void validateAcceptsTheDefaultConfigAndListsEveryErrorOfABrokenOne() throws Exception {
    RingwayProcess.Finished good = RingwayProcess.runToEnd(dir, List.of(), "validate", System.getProperty("ringway.conf"));
    assertThat(good.exitCode()).as(good.output()).isZero();
    assertThat(good.output()).contains("valid");

    Path broken = Files.writeString(dir.resolve("broken.yaml"), """
        transport: uring
        eventLoops: -1
        verticles: [admin, nope]
        admin:
          port: 99999
        """);
    RingwayProcess.Finished bad = RingwayProcess.runToEnd(dir, List.of(), "validate", broken.toString());

    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.output())
        .contains(broken + ": transport: ")
        .contains(broken + ": eventLoops: ")
        .contains(broken + ": verticles[1]: ")
        .contains(broken + ": admin.port: ")
        .contains("4 errors")
        .doesNotContain("\tat ");
  }

  @Test
  void badConfigAtStartupExitsWithCode2AndNoStackTrace() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "admin:\n  port: [1, 2\n");

    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, List.of(), "--conf", broken.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).startsWith("ringway: " + broken + ": ").doesNotContain("\tat ", "Exception in thread");
  }

  @Test
  void editedConfigFileIsReloadedAndABrokenEditIsRefused() throws Exception {
    Path conf = Files.writeString(dir.resolve("ringway.yaml"), "verticles: [admin]\nadmin:\n  port: " + adminPort + "\n");
    try (RingwayProcess ringway = RingwayProcess.start(dir, List.of(), "--conf", conf.toString())) {
      ringway.awaitStatus(adminPort, "/ready", 200, STARTUP);

      Files.writeString(conf, "verticles: [admin]\nadmin:\n  port: " + adminPort + "\ntransport: nio\ndemoUpstream:\n  node: edited\n");
      awaitConfigVersion(ringway, 2);
      assertThat(ringway.output()).contains("takes effect at restart");

      Files.writeString(conf, "verticles: [admin]\nadmin:\n  port: not-a-port\n");
      ringway.awaitOutput("admin.port: ", STARTUP);
      assertThat(new JsonObject(ringway.awaitStatus(adminPort, "/info", 200, STARTUP)).getLong("configVersion")).isEqualTo(2L);
      assertThat(ringway.awaitStatus(adminPort, "/ready", 200, STARTUP)).contains("READY");
    }
  }

  private void awaitConfigVersion(RingwayProcess ringway, long version) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (new JsonObject(ringway.awaitStatus(adminPort, "/info", 200, STARTUP)).getLong("configVersion") == version) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("config version " + version + " never reached\n" + ringway.output());
  }
}
