package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.EndpointOwners;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dashboard's data: {@code GET /dashboard/events} is a server-sent event stream with one
 * {@link DashboardSummary} a second, {@code GET /dashboard/state} the same summary once. One collection
 * per second serves every open page (the ticker runs only while one is open); a page whose connection
 * cannot keep up skips seconds rather than making this loop buffer for it, which costs it nothing since
 * every summary is whole. Runs on the admin verticle's loop.
 */
public final class DashboardFeed {

  static final long PERIOD_MS = 1000;
  /** How long a page waits before reconnecting after the stream broke (the EventSource {@code retry} field). */
  private static final long RETRY_MS = 2000;
  /** Node-local questions, answered from memory: a tick must not wait on them for long. */
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(500);

  private final Vertx vertx;
  private final NodeInfoClient node;
  private final ConfigHandler config;
  private final StatsCollector stats;
  private final ClusterStatsCollector clusterStats;
  private final EventLoops loops;
  private final Clock clock;
  private final Set<HttpServerResponse> viewers = new LinkedHashSet<>();
  private long ticker = -1;
  private boolean collecting;
  private TunPeers tunPeers;
  /** Registry member id → Vert.x node id, from the registry's last answer. */
  private Map<String, String> memberNodeIds = Map.of();

  public DashboardFeed(Vertx vertx, NodeInfoClient node, ConfigHandler config, StatsCollector stats,
                       ClusterStatsCollector clusterStats, EventLoops loops, Clock clock) {
    this.vertx = vertx;
    this.node = node;
    this.config = config;
    this.stats = stats;
    this.clusterStats = clusterStats;
    this.loops = loops;
    this.clock = clock;
    // the registry publishes the whole peer set on every change; the last one says who owns which peer
    vertx.eventBus().<Object>localConsumer(Addresses.TUN_PEERS, message -> {
      if (message.body() instanceof TunPeers peers) {
        tunPeers = peers;
      }
    });
  }

  /** {@code GET /dashboard/events}. */
  public void events(RoutingContext routing) {
    HttpServerResponse response = routing.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        // a reverse proxy in front (nginx) must not hold the events back to fill its buffer
        .putHeader("X-Accel-Buffering", "no");
    response.write("retry: " + RETRY_MS + "\n\n");
    viewers.add(response);
    response.closeHandler(closed -> {
      viewers.remove(response);
      if (viewers.isEmpty() && ticker >= 0) {
        vertx.cancelTimer(ticker);
        ticker = -1;
      }
    });
    if (ticker < 0) {
      ticker = vertx.setPeriodic(0, PERIOD_MS, fired -> tick());
    }
  }

  /** {@code GET /dashboard/state}. */
  public void state(RoutingContext routing) {
    summary().onSuccess(summary -> AdminResponses.json(routing, 200, summary)).onFailure(routing::fail);
  }

  private void tick() {
    if (collecting) {
      return; // the last collection still waits for a slow instance: skip rather than pile up
    }
    collecting = true;
    summary().onComplete(done -> {
      collecting = false;
      if (done.failed()) {
        return;
      }
      Buffer event = Buffer.buffer("event: summary\ndata: ").appendString(done.result().encode()).appendString("\n\n");
      for (HttpServerResponse viewer : List.copyOf(viewers)) {
        if (!viewer.writeQueueFull()) {
          viewer.write(event);
        }
      }
    });
  }

  private Future<JsonObject> summary() {
    Future<NodeInfo> info = node.fetch();
    Future<ConfigSnapshot> current = config.current();
    Future<CollectedStats> local = stats.collect();
    Future<CollectedStats> whole = vertx.isClustered() ? clusterStats.collect() : Future.succeededFuture(null);
    Future<Map<String, String>> owners = vertx.isClustered() ? endpointOwners() : Future.succeededFuture(Map.of());
    // join, not all: a node or config verticle that does not answer leaves a hole, not a blank page
    return Future.join(List.of(info, current, local, whole, owners)).transform(ignored -> Future.succeededFuture(DashboardSummary.of(
        clock.instant(), info.result(), current.result(), local.result() == null ? new CollectedStats(List.of(), false)
            : local.result(), clusterView(whole.result(), owners.result()), loops.describe())));
  }

  /** Who owns each registered endpoint, {@code cluster/address} → member ids; empty when the registry does not say. */
  private Future<Map<String, String>> endpointOwners() {
    return vertx.eventBus().<Object>request(Addresses.CLUSTER_ENDPOINTS_OWNERS, null, LOCAL).map(reply -> {
      Map<String, String> owners = new TreeMap<>();
      if (reply.body() instanceof EndpointOwners known) {
        memberNodeIds = known.nodeIds();
        for (EndpointRegistered entry : known.entries()) {
          owners.merge(entry.cluster() + "/" + entry.endpoint().address(), nodeId(entry.owner()), (a, b) -> a + "," + b);
        }
      }
      return (Map<String, String>) owners;
    }).recover(noRegistry -> Future.succeededFuture(Map.of()));
  }

  /** The Vert.x node id of a registry owner, as the members list names it; the owner as is once it left. */
  private String nodeId(String owner) {
    return memberNodeIds.getOrDefault(owner, owner);
  }

  private ClusterView clusterView(CollectedStats whole, Map<String, String> owners) {
    if (!vertx.isClustered()) {
      return ClusterView.standalone();
    }
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    TunPeers peers = tunPeers == null ? null : new TunPeers(tunPeers.peers().stream()
        .map(peer -> new TunPeer(peer.config(), nodeId(peer.owner()))).toList());
    return new ClusterView(manager.getNodeId(), List.copyOf(manager.getNodes()), peers,
        owners == null ? Map.of() : owners, whole);
  }
}
