package io.ringway.cluster.impl;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Tunnel peers, shared like endpoints: a tun bridge announces its node as a peer on
 * {@link Addresses#CLUSTER_TUN_PEERS_ANNOUNCE} (a {@link TunPeerConfig}), the entry is owned by this
 * member and goes when it leaves, and every change publishes the whole peer list ({@link TunPeers}) on
 * {@link Addresses#TUN_PEERS} on this node only.
 */
public final class TunPeerRegistryVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(TunPeerRegistryVerticle.class.getName());

  static final String MAP = "ringway.tun.peers";
  /** All peers form one group: a bridge needs the whole list to build its prefix table. */
  private static final String PEERS = "peers";

  private final HazelcastInstance hazelcast;
  private final RefreshQueue refreshes = new RefreshQueue();
  private OwnedEntries entries;

  public TunPeerRegistryVerticle(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    return OwnedEntries.open(context, hazelcast, MAP)
        .compose(opened -> {
          entries = opened;
          return vertx.eventBus().localConsumer(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, this::announce).completion();
        })
        .compose(registered -> entries.listen(group -> refresh(), this::refresh))
        .onSuccess(listening -> refresh());
  }

  @Override
  public Future<?> stop() {
    return entries == null ? Future.succeededFuture() : entries.close();
  }

  private void announce(Message<Object> message) {
    if (!(message.body() instanceof TunPeerConfig peer)) {
      message.fail(400, Addresses.CLUSTER_TUN_PEERS_ANNOUNCE + " takes a TunPeerConfig, got " + message.body());
      return;
    }
    // Config records are checked by the config loader, not their constructor: a peer others can use needs both.
    if (peer.name() == null || peer.name().isBlank() || peer.publicKey() == null || peer.publicKey().isBlank()) {
      message.fail(400, "a tunnel peer needs a name and a publicKey");
      return;
    }
    entries.put(PEERS, peer.name(), peer.toJson()).onComplete(put -> {
      if (put.succeeded()) {
        message.reply(new TunPeer(peer, entries.self()));
      } else {
        message.fail(503, "cluster map unavailable: " + put.cause().getMessage());
      }
    });
  }

  private void refresh() {
    refreshes.request(PEERS, () -> entries.group(PEERS).map(values -> {
      List<TunPeer> peers = new ArrayList<>(values.size());
      for (JsonObject value : values) {
        try {
          peers.add(TunPeer.fromJson(value)); // the entry's owner is the announcing member
        } catch (IllegalArgumentException e) {
          LOG.log(Level.WARNING, "cluster: ignored malformed tunnel peer entry (" + e.getMessage() + "): " + value);
        }
      }
      peers.sort(Comparator.comparing(peer -> peer.config().name()));
      vertx.eventBus().publish(Addresses.TUN_PEERS, new TunPeers(peers), new DeliveryOptions().setLocalOnly(true));
      return null;
    }));
  }
}
