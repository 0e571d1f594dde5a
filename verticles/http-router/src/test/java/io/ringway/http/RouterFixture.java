package io.ringway.http;

import io.netty.util.IllegalReferenceCountException;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.TransportPlugin;
import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Capabilities;
import io.ringway.testkit.LogWatch;
import io.ringway.testkit.Ports;
import io.ringway.transport.epoll.EpollTransportPlugin;
import io.ringway.transport.uring.IoUringTransportPlugin;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real Vert.x on a chosen transport with the router deployed on a free loopback port. */
final class RouterFixture implements AutoCloseable {

  static final String HOST = "127.0.0.1";
  static final String LISTENER = "web";

  final Vertx vertx;
  final List<HttpRouterVerticle> instances = new CopyOnWriteArrayList<>();
  final HttpClient client;
  /** Where tests issue client requests from. */
  final io.vertx.core.Context context;
  int port;
  /**
   * Exceptions that reached Vert.x unhandled on any context of this fixture, and buffers Netty found released twice
   * while it ran (logged only; a pooled buffer released twice may be another's by then): a router bug each.
   */
  final List<Throwable> unhandled = new CopyOnWriteArrayList<>();
  private final LogWatch doubleReleases;
  /** The access log of every snapshot this fixture makes; set before {@link #start}. */
  AccessLogConfig accessLog;
  /** {@code http.tracing} of the configs this fixture makes; null: off. */
  io.ringway.spi.config.TracingConfig tracing;
  /** The admin section of every snapshot this fixture makes (its drain settings); set before {@link #start}. */
  AdminConfig admin = new AdminConfig(HOST, 9901, null);
  private HttpListenerConfig listener;
  private long version;
  /** Every listener of this fixture's configs has {@code byteLevelHttp1} on (and h2c off). */
  private boolean byteLevel;
  /** Whether the test sends anything the byte-level path must have taken (checked at close). */
  private boolean forwards = true;

  RouterFixture(TransportPlugin plugin) {
    Capabilities.require(plugin.name(), plugin.isAvailable(), plugin.unavailabilityCause());
    this.vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    if (!vertx.isNativeTransportEnabled()) {
      vertx.close();
      throw new IllegalStateException("asked for " + plugin.name() + " but Vert.x fell back to NIO");
    }
    vertx.exceptionHandler(unhandled::add);
    doubleReleases = LogWatch.on("io.netty", record -> {
      if (record.getThrown() instanceof IllegalReferenceCountException released) {
        unhandled.add(released);
      }
    });
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    this.context = vertx.getOrCreateContext();
  }

  static RouterFixture ioUring() {
    return new RouterFixture(new IoUringTransportPlugin());
  }

  static RouterFixture epoll() {
    return new RouterFixture(new EpollTransportPlugin());
  }

  /**
   * The fixture a parameterised test names: {@code epoll}, {@code byte-level} (on io_uring), {@code byte-level-epoll}
   * or io_uring.
   */
  static RouterFixture of(String transport) {
    return switch (transport) {
      case "epoll" -> epoll();
      case "byte-level" -> byteLevel();
      case "byte-level-epoll" -> byteLevelEpoll();
      default -> ioUring();
    };
  }

  /** On io_uring, every listener with the byte-level HTTP/1 path: a suite run through it must pass unchanged. */
  static RouterFixture byteLevel() {
    return withByteLevel(ioUring());
  }

  /**
   * On epoll, every listener with the byte-level HTTP/1 path: the shipped listener where seccomp refuses io_uring
   * (containerd's and Docker's default profiles), so the suites run through it too.
   */
  static RouterFixture byteLevelEpoll() {
    return withByteLevel(epoll());
  }

  private static RouterFixture withByteLevel(RouterFixture fixture) {
    fixture.byteLevel = true;
    return fixture;
  }

  static HttpListenerConfig listener(int port) {
    return HttpListenerConfig.of(LISTENER, HOST, port);
  }

  ConfigSnapshot snapshot(HttpListenerConfig listener, List<ClusterConfig> clusters, List<RouteConfig> routes) {
    if (byteLevel) {
      listener = listener.withByteLevelHttp1(true);
    }
    RingwayConfig config = new RingwayConfig("io_uring", 1, Map.of(), List.of("http-router"),
        admin, new DemoUpstreamConfig(HOST, 8081, 9001, "test"))
        .withClusters(clusters).withHttp(new HttpRouterConfig(List.of(listener), routes, accessLog,
            HttpRouterConfig.DEFAULT_CLIENT_CERT_HEADER, tracing));
    return new ConfigSnapshot(++version, config, "test");
  }

  RouterFixture start(List<ClusterConfig> clusters, List<RouteConfig> routes) throws Exception {
    return start(1, listener(Ports.freeTcpPort()), clusters, routes);
  }

  RouterFixture start(int count, HttpListenerConfig listener, List<ClusterConfig> clusters, List<RouteConfig> routes)
      throws Exception {
    this.port = listener.port();
    this.listener = listener;
    ConfigSnapshot snapshot = snapshot(listener, clusters, routes);
    vertx.deployVerticle(() -> {
      HttpRouterVerticle instance = new HttpRouterVerticle(snapshot);
      instances.add(instance);
      return instance;
    }, new DeploymentOptions().setInstances(count)).await(10, TimeUnit.SECONDS);
    return this;
  }

  /** Publishes a new config the way the config verticle does, with the listener it started with. */
  void publish(List<ClusterConfig> clusters, List<RouteConfig> routes) {
    publish(listener, clusters, routes);
  }

  /** Publishes a new config with another listener. */
  void publish(HttpListenerConfig listener, List<ClusterConfig> clusters, List<RouteConfig> routes) {
    vertx.eventBus().publish(io.ringway.spi.Addresses.CONFIG_APPLIED, snapshot(listener, clusters, routes));
  }

  /** Drains every instance the way the launcher does on SIGTERM, with {@code admin.drainTimeout}. */
  void drain() {
    vertx.eventBus().publish(io.ringway.spi.Addresses.DRAIN,
        new io.ringway.spi.message.DrainOrder(java.time.Instant.now().plus(admin.drainTimeout())),
        new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
  }

  /** One instance's counters, asked the way the admin verticle asks. */
  JsonObject stats() throws Exception {
    return vertx.eventBus().<InstanceStats>request(io.ringway.spi.Addresses.STATS_COLLECT, null)
        .await(5, TimeUnit.SECONDS).body().toJson();
  }

  /**
   * The first listener's counters, asked as {@link #stats} asks; unchecked, so polling lambdas
   * ({@link Eventually#await}) can call it.
   */
  JsonObject listenerStats() {
    try {
      return stats().getJsonArray("listeners").getJsonObject(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The counters of cluster {@code name}, asked as {@link #stats} asks; unchecked, as {@link #listenerStats}. */
  JsonObject clusterStats(String name) {
    try {
      return stats().getJsonArray("clusters").stream().map(JsonObject.class::cast)
          .filter(cluster -> name.equals(cluster.getString("cluster"))).findFirst().orElseThrow();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The config version the instance asked reports; unchecked, for polling lambdas as {@link #listenerStats}. */
  long configVersion() {
    try {
      return stats().getLong("configVersion");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The test sends only requests the byte-level path gives to the decoding path (local actions, a Connection naming
   * fields): it has nothing to take.
   */
  void byteLevelTakesNone() {
    forwards = false;
  }

  /** The byte-level requests of every instance: the event bus asks its consumers in turn. */
  private long byteLevelRequests() throws Exception {
    Map<String, Long> byInstance = new java.util.HashMap<>();
    for (int i = 0; i < 8 * instances.size() && byInstance.size() < instances.size(); i++) {
      JsonObject stats = stats();
      JsonArray listeners = stats.getJsonArray("listeners");
      long requests = listeners == null || listeners.isEmpty() ? 0 : listeners.getJsonObject(0).getLong("byteLevelRequests");
      byInstance.put(stats.getString("instance", String.valueOf(i)), requests);
    }
    return byInstance.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() throws Exception {
    // A suite run "through the byte-level path" that never took it would prove nothing about it.
    long byteLevelRequests = byteLevel && forwards && !instances.isEmpty() ? byteLevelRequests() : -1;
    vertx.close().await(10, TimeUnit.SECONDS);
    doubleReleases.close();
    if (byteLevelRequests == 0) {
      throw new AssertionError("the byte-level path took no request of this suite");
    }
    if (!unhandled.isEmpty()) {
      AssertionError error = new AssertionError(unhandled.size() + " exceptions reached Vert.x unhandled");
      unhandled.forEach(error::addSuppressed);
      throw error;
    }
  }
}
