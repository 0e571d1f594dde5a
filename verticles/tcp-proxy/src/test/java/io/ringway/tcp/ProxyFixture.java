package io.ringway.tcp;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.StatsRequest;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.tcp.impl.Tunables;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real Vert.x on one transport plugin with the proxy deployed on it, and its config and stats. */
final class ProxyFixture implements AutoCloseable {

  final Vertx vertx;
  final String transport;
  private long version = 1;

  private ProxyFixture(Vertx vertx, String transport) {
    this.vertx = vertx;
    this.transport = transport;
  }

  /** Skips (fails under CI) when the machine cannot run the transport. */
  static ProxyFixture on(String transport, int eventLoops) {
    return new ProxyFixture(TestTransports.vertx(transport, eventLoops), transport);
  }

  ProxyFixture deploy(RingwayConfig config, int instances) throws Exception {
    return deploy(config, instances, Tunables.defaults());
  }

  ProxyFixture deploy(RingwayConfig config, int instances, Tunables tunables) throws Exception {
    ConfigSnapshot snapshot = new ConfigSnapshot(version, config, "test");
    vertx.deployVerticle(() -> new TcpProxyVerticle(snapshot, tunables), new DeploymentOptions().setInstances(instances))
        .await(10, TimeUnit.SECONDS);
    return this;
  }

  /** Publishes a new config as the config verticle does and waits until every instance applied it. */
  void reload(RingwayConfig config) {
    long next = ++version;
    vertx.eventBus().publish(Addresses.CONFIG_APPLIED, new ConfigSnapshot(next, config, "test"));
    Eventually.await(Duration.ofSeconds(5), "config " + next + " applied everywhere",
        () -> stats().stream().allMatch(instance -> instance.getLong("configVersion") == next));
  }

  /** Collects every instance's counters the way the stats contract says: publish with a reply address. */
  List<JsonObject> stats() {
    String replyTo = "test.stats." + UUID.randomUUID();
    List<JsonObject> replies = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<List<JsonObject>> all = new CompletableFuture<>();
    MessageConsumer<InstanceStats> consumer = vertx.eventBus().consumer(replyTo, message -> {
      replies.add(message.body().toJson());
      if (replies.size() == message.body().instances()) {
        all.complete(List.copyOf(replies));
      }
    });
    try {
      consumer.completion().await(5, TimeUnit.SECONDS);
      vertx.eventBus().publish(Addresses.STATS_COLLECT, new StatsRequest(replyTo));
      return all.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stats not collected", e);
    } finally {
      consumer.unregister();
    }
  }

  /** One listener's counters summed over instances. */
  JsonObject listener(String name) {
    return sum(stats(), "listeners", "listener", name);
  }

  /** One cluster's top-level counters summed over instances. */
  JsonObject cluster(String name) {
    return sum(stats(), "clusters", "cluster", name);
  }

  /** Whether every instance sees the endpoint as healthy ({@code healthy}) in the cluster. */
  boolean everyInstanceSees(String cluster, String endpoint, boolean healthy) {
    return stats().stream().allMatch(instance -> find(instance.getJsonArray("clusters"), "cluster", cluster)
        .getJsonArray("endpoints").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("address").equals(endpoint))
        .allMatch(e -> e.getBoolean("healthy") == healthy));
  }

  private static JsonObject sum(List<JsonObject> instances, String section, String key, String name) {
    JsonObject total = new JsonObject();
    for (JsonObject instance : instances) {
      for (Map.Entry<String, Object> field : find(instance.getJsonArray(section), key, name)) {
        if (field.getValue() instanceof Number number && !field.getKey().equals("port")) {
          total.put(field.getKey(), total.getLong(field.getKey(), 0L) + number.longValue());
        }
      }
    }
    return total;
  }

  private static JsonObject find(JsonArray array, String key, String name) {
    return array.stream().map(JsonObject.class::cast).filter(o -> name.equals(o.getString(key))).findFirst()
        .orElseThrow(() -> new AssertionError(key + " " + name + " not in " + array));
  }

  static RingwayConfig config(List<ClusterConfig> clusters, List<TcpListenerConfig> listeners) {
    return new RingwayConfig("auto", 1, Map.of(), List.of("tcp-proxy"), new AdminConfig("127.0.0.1", 9901, null),
        new DemoUpstreamConfig("127.0.0.1", 8081, 9001, "test")).withClusters(clusters).withTcp(new TcpProxyConfig(listeners));
  }

  static ClusterConfig cluster(String name, Backend... backends) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (Backend backend : backends) {
      endpoints.add(Endpoint.of(Clients.HOST, backend.port));
    }
    return ClusterConfig.of(name, endpoints).withConnectTimeout(Duration.ofSeconds(2));
  }

  /** A listener with no limits worth mentioning, no idle timeout, no retries and no PROXY header. */
  static TcpListenerConfig listener(String name, int port, String cluster) {
    return new TcpListenerConfig(name, Clients.HOST, port, cluster, null, Duration.ZERO, 10_000, 0, false, List.of());
  }

  static TcpListenerConfig withLimits(TcpListenerConfig l, Duration idleTimeout, int maxConnections, int retries) {
    return new TcpListenerConfig(l.name(), l.host(), l.port(), l.cluster(), l.connectTimeout(), idleTimeout,
        maxConnections, retries, l.acceptProxyProtocol(), l.trustedSources());
  }

  static TcpListenerConfig acceptingProxy(TcpListenerConfig l, String... trustedSources) {
    return new TcpListenerConfig(l.name(), l.host(), l.port(), l.cluster(), l.connectTimeout(), l.idleTimeout(),
        l.maxConnections(), l.connectRetries(), true, List.of(trustedSources));
  }

  static TcpListenerConfig movedTo(TcpListenerConfig l, int port) {
    return new TcpListenerConfig(l.name(), l.host(), port, l.cluster(), l.connectTimeout(), l.idleTimeout(),
        l.maxConnections(), l.connectRetries(), l.acceptProxyProtocol(), l.trustedSources());
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
