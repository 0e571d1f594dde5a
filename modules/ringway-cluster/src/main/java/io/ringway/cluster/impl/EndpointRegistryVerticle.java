package io.ringway.cluster.impl;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.ClusterAnnouncement;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.message.EndpointOwners;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.RegisterEndpoint;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster-wide endpoint registry on this node. It writes this node's endpoints (its config's
 * clusters, its announced listeners, and those registered through {@code POST /endpoints/<cluster>})
 * into a Hazelcast map, owned by this member; and whenever any member's entries of a cluster change,
 * it publishes that cluster's whole endpoint set on {@link Addresses#endpoints(String)}, on this node
 * only, where the TCP proxy and HTTP router apply it. An endpoint several members wrote counts once,
 * with the highest weight given.
 */
public final class EndpointRegistryVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(EndpointRegistryVerticle.class.getName());
  static final String MAP = "ringway.endpoints";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final HazelcastInstance hazelcast;
  private RingwayConfig config;
  private OwnedEntries entries;
  private final RefreshQueue refreshes = new RefreshQueue();
  /** What this node wrote from config and announcements, by entry id, so a new config can take it back. */
  private Map<String, JsonObject> fromConfig = Map.of();
  /** Each cluster's entries as last read from the registry, owners included, for the dashboard. */
  private final Map<String, List<JsonObject>> lastRead = new TreeMap<>();

  /** @param initial the config this node started with */
  public EndpointRegistryVerticle(HazelcastInstance hazelcast, ConfigSnapshot initial) {
    this.hazelcast = hazelcast;
    this.config = initial.config();
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    return OwnedEntries.open(context, hazelcast, MAP)
        .compose(opened -> {
          entries = opened;
          vertx.eventBus().<ConfigSnapshot>localConsumer(Addresses.CONFIG_APPLIED, message -> onConfig(message.body().config()));
          vertx.eventBus().localConsumer(Addresses.CLUSTER_ENDPOINTS_OWNERS, message -> message.reply(owners()));
          return vertx.eventBus().localConsumer(Addresses.CLUSTER_ENDPOINTS_REGISTER, this::register).completion();
        })
        .compose(registered -> entries.listen(this::refresh, this::refreshAll))
        .compose(listening -> writeOwn(config))
        .onSuccess(written -> refreshAll());
  }

  @Override
  public Future<?> stop() {
    return entries == null ? Future.succeededFuture() : entries.close();
  }

  private void onConfig(RingwayConfig next) {
    config = next;
    // The data plane starts again from the config's endpoints on a new snapshot: republish every set after.
    writeOwn(next).onComplete(written -> refreshAll());
  }

  /** {@code POST /endpoints/<cluster>}: the endpoint joins the cluster, owned by this node. */
  private void register(Message<Object> message) {
    if (!(message.body() instanceof RegisterEndpoint request)) {
      message.fail(400, Addresses.CLUSTER_ENDPOINTS_REGISTER + " takes a RegisterEndpoint, got " + message.body());
      return;
    }
    String cluster = request.cluster();
    if (config.upstreamCluster(cluster) == null) {
      message.fail(404, "unknown cluster \"" + cluster + "\" (known: "
          + String.join(", ", config.clusters().stream().map(ClusterConfig::name).toList()) + ")");
      return;
    }
    Endpoint endpoint = request.endpoint();
    entries.put(cluster, "admin:" + endpoint.address(), endpoint.toJson().put("source", "admin")).onComplete(put -> {
      if (put.succeeded()) {
        LOG.log(Level.INFO, "cluster: endpoint {0} registered in {1}", endpoint.address(), cluster);
        message.reply(new EndpointRegistered(cluster, endpoint, entries.self()));
      } else {
        message.fail(503, "cluster map unavailable: " + put.cause().getMessage());
      }
    });
  }

  /** Brings this node's config-sourced entries in line with {@code next}: writes new ones, takes back gone ones. */
  private Future<?> writeOwn(RingwayConfig next) {
    Map<String, JsonObject> wanted = new LinkedHashMap<>();
    for (ClusterConfig cluster : next.clusters()) {
      for (Endpoint endpoint : cluster.endpoints()) {
        wanted.put(cluster.name() + "\n" + "config:" + endpoint.address(), endpoint.toJson().put("source", "config"));
      }
    }
    for (ClusterAnnouncement announcement : next.cluster().announce()) {
      Endpoint endpoint = Announcements.endpoint(announcement, next, memberHost());
      if (endpoint != null) {
        wanted.put(announcement.cluster() + "\n" + "announce:" + endpoint.address(), endpoint.toJson().put("source", "announce"));
      }
    }
    List<Future<Void>> writes = new ArrayList<>();
    fromConfig.keySet().stream().filter(key -> !wanted.containsKey(key))
        .forEach(key -> writes.add(entries.remove(groupOf(key), idOf(key))));
    wanted.forEach((key, value) -> {
      if (!value.equals(fromConfig.get(key))) {
        writes.add(entries.put(groupOf(key), idOf(key), value));
      }
    });
    fromConfig = wanted;
    return Future.all(writes).onFailure(e -> LOG.log(Level.WARNING, "cluster: cannot write this node's endpoints: " + e));
  }

  private String memberHost() {
    return hazelcast.getCluster().getLocalMember().getAddress().getHost();
  }

  private static String groupOf(String key) {
    return key.substring(0, key.indexOf('\n'));
  }

  private static String idOf(String key) {
    return key.substring(key.indexOf('\n') + 1);
  }

  private void refreshAll() {
    Set<String> clusters = new LinkedHashSet<>(config.clusters().stream().map(ClusterConfig::name).toList());
    entries.groups().onComplete(groups -> {
      if (groups.succeeded()) {
        clusters.addAll(groups.result());
      }
      clusters.forEach(this::refresh);
    });
  }

  private void refresh(String cluster) {
    refreshes.request(cluster, () -> entries.group(cluster).map(values -> {
      publish(cluster, values);
      return null;
    }));
  }

  /** Every entry as last read, with its owner: answered from memory, the registry map is not read again. */
  private EndpointOwners owners() {
    List<EndpointRegistered> entries = new ArrayList<>();
    lastRead.forEach((cluster, values) -> values.forEach(value -> {
      try {
        entries.add(new EndpointRegistered(cluster, Endpoint.fromJson(value), value.getString(OwnedEntries.OWNER)));
      } catch (RuntimeException malformed) {
        // logged when it was read; nothing to show
      }
    }));
    Map<String, String> nodeIds = new TreeMap<>();
    // the local member list: no remote call
    hazelcast.getCluster().getMembers().forEach(member -> nodeIds.put(member.getUuid().toString(),
        String.valueOf(member.getAttribute(HazelcastSetup.VERTX_NODE_ID))));
    return new EndpointOwners(entries, nodeIds);
  }

  private void publish(String cluster, List<JsonObject> values) {
    lastRead.put(cluster, values);
    Map<String, Endpoint> byAddress = new HashMap<>();
    for (JsonObject value : values) {
      try {
        Endpoint endpoint = Endpoint.fromJson(value);
        byAddress.merge(endpoint.address(), endpoint, (a, b) -> a.weight() >= b.weight() ? a : b);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cluster: ignored malformed endpoint entry in " + cluster + ": " + value);
      }
    }
    // Sorted, so every node publishes the same list for the same set (Maglev and round robin see one order).
    List<Endpoint> endpoints = byAddress.values().stream().sorted(Comparator.comparing(Endpoint::address)).toList();
    vertx.eventBus().publish(Addresses.endpoints(cluster), new EndpointsUpdate(cluster, endpoints), LOCAL);
  }
}
