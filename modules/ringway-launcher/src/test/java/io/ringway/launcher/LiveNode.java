package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.cluster.RingwayCluster;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A whole node in this JVM, as the launcher starts one: the transport {@code auto} picks, the config
 * document given, every verticle it names. For tests that need the real thing end to end.
 */
final class LiveNode implements AutoCloseable {

  final Vertx vertx;
  final String transport;
  private final int adminPort;
  private final RingwayCluster cluster;

  private LiveNode(Vertx vertx, String transport, int adminPort, RingwayCluster cluster) {
    this.vertx = vertx;
    this.transport = transport;
    this.adminPort = adminPort;
    this.cluster = cluster;
  }

  /**
   * Starts a node from {@code document} (its {@code admin.port} is where {@link #admin} looks), joined to the
   * Hazelcast cluster its {@code cluster} section describes when that says {@code enabled: true}.
   */
  static LiveNode start(JsonObject document) throws Exception {
    PluginCatalog catalog = PluginCatalog.load();
    TransportSelector.Selection transport = TransportSelector.select("auto", catalog.transports());
    ConfigResult result = new ConfigLoader(catalog, Map.of(), Map.of()).parse(document);
    assertThat(result.errors()).as("the test's config").isEmpty();
    ConfigSnapshot snapshot = new ConfigSnapshot(1, result.config(), "test");
    RingwayCluster cluster = result.config().cluster().enabled() ? RingwayCluster.join(result.config().cluster()) : null;
    var builder = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(result.config().eventLoops()))
        .withTransport(transport.plugin().create(new JsonObject()));
    Vertx vertx = cluster == null ? builder.build()
        : builder.withClusterManager(cluster.clusterManager()).buildClustered().await(60, TimeUnit.SECONDS);
    try {
      vertx.deployVerticle(new NodeVerticle(catalog, RingwayLauncher.loader(catalog), null, snapshot, transport.plugin(), cluster))
          .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof TimeoutException) {
        // What held the start: only a dump taken now shows it (CI keeps the test's output).
        System.err.println("LiveNode: the node did not start within 60 s; its threads:\n" + threadDump());
      }
      vertx.close().await(20, TimeUnit.SECONDS);
      if (cluster != null) {
        cluster.leave();
      }
      throw e;
    }
    return new LiveNode(vertx, transport.plugin().name(), result.config().admin().port(), cluster);
  }

  /** The stacks of the event loops' threads and the warm-up's, where a node's start can be held. */
  private static String threadDump() {
    StringBuilder dump = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      String name = thread.getName();
      if (name.startsWith("vert.x-") || name.startsWith("train-") || name.startsWith("ringway-")) {
        dump.append('"').append(name).append("\" ").append(thread.getState()).append('\n');
        for (StackTraceElement frame : stack) {
          dump.append("    at ").append(frame).append('\n');
        }
      }
    });
    return dump.toString();
  }

  /** The admin API's base URL. */
  String admin() {
    return "http://127.0.0.1:" + adminPort;
  }

  /** {@code GET} on the admin API, from outside the node's event loops. */
  String get(String path) throws Exception {
    return get(adminPort, path);
  }

  /** {@code GET} on a loopback port, from outside the node's event loops; the answer must be 200. */
  static String get(int port, String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
      return response.body();
    }
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      if (cluster != null) {
        cluster.leave(); // after Vert.x, which leaves the cluster first
      }
    }
  }
}
