package io.ringway.spi.config;

import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The whole validated config of one node. Built and validated by {@code ringway-config}; immutable.
 *
 * @param transport {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}
 * @param eventLoops number of event-loop threads (resolved: never 0)
 * @param transportOptions tunables per transport plugin name, already checked by that plugin
 * @param verticles names of the verticles to deploy, in order
 * @param admin the admin API
 * @param demoUpstream the built-in demo backends
 * @param clusters upstream clusters shared by the TCP proxy and the HTTP router, names unique
 * @param tcp the L4 proxy's listeners
 * @param http the L7 router's listeners and routes
 * @param tun the L3 tunnel: TUN device and peers
 * @param cluster whether and how this node joins other Ringway nodes
 * @param affinity {@code eventLoops.affinity}: where the event-loop threads run; applied again on reload
 * @param warmup whether the node runs its data path hot before it binds its listeners; read at start only
 */
public record RingwayConfig(String transport, int eventLoops, Map<String, JsonObject> transportOptions,
                            List<String> verticles, AdminConfig admin, DemoUpstreamConfig demoUpstream,
                            List<ClusterConfig> clusters, TcpProxyConfig tcp, HttpRouterConfig http,
                            TunBridgeConfig tun, ClusteringConfig cluster, EventLoopAffinity affinity,
                            WarmupConfig warmup) {

  public RingwayConfig {
    transportOptions = Map.copyOf(transportOptions);
    verticles = List.copyOf(verticles);
    clusters = List.copyOf(clusters);
    if (http == null) {
      http = HttpRouterConfig.NONE;
    }
    if (tun == null) {
      tun = TunBridgeConfig.DISABLED;
    }
    if (cluster == null) {
      cluster = ClusteringConfig.DISABLED;
    }
    if (affinity == null) {
      affinity = EventLoopAffinity.NONE;
    }
    if (warmup == null) {
      warmup = WarmupConfig.DISABLED;
    }
  }

  /** A config that does not warm up. */
  public RingwayConfig(String transport, int eventLoops, Map<String, JsonObject> transportOptions,
                       List<String> verticles, AdminConfig admin, DemoUpstreamConfig demoUpstream,
                       List<ClusterConfig> clusters, TcpProxyConfig tcp, HttpRouterConfig http,
                       TunBridgeConfig tun, ClusteringConfig cluster, EventLoopAffinity affinity) {
    this(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http, tun, cluster,
        affinity, WarmupConfig.DISABLED);
  }

  /** A config whose event loops are not pinned. */
  public RingwayConfig(String transport, int eventLoops, Map<String, JsonObject> transportOptions,
                       List<String> verticles, AdminConfig admin, DemoUpstreamConfig demoUpstream,
                       List<ClusterConfig> clusters, TcpProxyConfig tcp, HttpRouterConfig http,
                       TunBridgeConfig tun, ClusteringConfig cluster) {
    this(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http, tun, cluster,
        EventLoopAffinity.NONE);
  }

  /** A standalone config with no upstream cluster, listener or tunnel; the {@code with*} methods add them. */
  public RingwayConfig(String transport, int eventLoops, Map<String, JsonObject> transportOptions,
                       List<String> verticles, AdminConfig admin, DemoUpstreamConfig demoUpstream) {
    this(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, List.of(), TcpProxyConfig.NONE,
        HttpRouterConfig.NONE, TunBridgeConfig.DISABLED, ClusteringConfig.DISABLED);
  }

  public RingwayConfig withClusters(List<ClusterConfig> clusters) {
    return new RingwayConfig(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http,
        tun, cluster, affinity, warmup);
  }

  public RingwayConfig withTcp(TcpProxyConfig tcp) {
    return new RingwayConfig(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http,
        tun, cluster, affinity, warmup);
  }

  public RingwayConfig withHttp(HttpRouterConfig http) {
    return new RingwayConfig(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http,
        tun, cluster, affinity, warmup);
  }

  public RingwayConfig withTun(TunBridgeConfig tun) {
    return new RingwayConfig(transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http,
        tun, cluster, affinity, warmup);
  }

  /** The upstream cluster of that name, or null. */
  public ClusterConfig upstreamCluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  /** The tunables of one transport plugin; empty when config gives none. */
  public JsonObject transportOptions(String plugin) {
    JsonObject options = transportOptions.get(plugin);
    return options == null ? new JsonObject() : options.copy();
  }
}
