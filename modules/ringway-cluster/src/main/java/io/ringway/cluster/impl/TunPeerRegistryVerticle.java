package io.ringway.cluster.impl;

import com.hazelcast.core.HazelcastInstance;
import io.ringway.spi.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;

/**
 * Tunnel peers, shared like endpoints: a tun bridge announces its node as a peer on
 * {@link Addresses#CLUSTER_TUN_PEERS_ANNOUNCE} (a {@code TunPeerConfig} as JSON), the entry is owned by this
 * member and goes when it leaves, and every change publishes the whole peer list on
 * {@link Addresses#TUN_PEERS} on this node only.
 */
public final class TunPeerRegistryVerticle extends VerticleBase {

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
    return OwnedEntries.open(context, hazelcast, MAP)
        .compose(opened -> {
          entries = opened;
          return vertx.eventBus().<JsonObject>localConsumer(Addresses.CLUSTER_TUN_PEERS_ANNOUNCE, this::announce).completion();
        })
        .compose(registered -> entries.listen(group -> refresh(), this::refresh))
        .onSuccess(listening -> refresh());
  }

  @Override
  public Future<?> stop() {
    return entries == null ? Future.succeededFuture() : entries.close();
  }

  private void announce(Message<JsonObject> message) {
    JsonObject peer = message.body();
    String name = peer.getString("name");
    String publicKey = peer.getString("publicKey");
    if (name == null || name.isBlank() || publicKey == null || publicKey.isBlank()) {
      message.fail(400, "a tunnel peer needs a name and a publicKey");
      return;
    }
    entries.put(PEERS, name, peer).onComplete(put -> {
      if (put.succeeded()) {
        message.reply(new JsonObject().put("owner", entries.self()));
      } else {
        message.fail(503, "cluster map unavailable: " + put.cause().getMessage());
      }
    });
  }

  private void refresh() {
    refreshes.request(PEERS, () -> entries.group(PEERS).map(values -> {
      List<JsonObject> sorted = values.stream().map(JsonObject::copy)
          .peek(value -> value.remove(OwnedEntries.GROUP))
          .sorted(Comparator.comparing((JsonObject value) -> value.getString("name"))).toList();
      vertx.eventBus().publish(Addresses.TUN_PEERS, new JsonObject().put("peers", new JsonArray(List.copyOf(sorted))),
          new DeliveryOptions().setLocalOnly(true));
      return null;
    }));
  }
}
