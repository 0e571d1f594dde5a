package io.ringway.spi.message;

import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * Published on {@link io.ringway.spi.Addresses#TUN_PEERS}: every tunnel peer the cluster knows, sorted by
 * name. A whole list rather than a delta, so a bridge that missed a message is right again after the next.
 *
 * @param peers every peer, with the member that announced it
 */
public record TunPeers(List<TunPeer> peers) {

  public TunPeers {
    peers = List.copyOf(Objects.requireNonNull(peers, "peers"));
  }

  /** The peers' configs, in order: what a tun bridge applies. */
  public List<TunPeerConfig> configs() {
    return peers.stream().map(TunPeer::config).toList();
  }

  /** {@code {"peers":[TunPeer JSON,..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    peers.forEach(peer -> array.add(peer.toJson()));
    return new JsonObject().put("peers", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad element. */
  public static TunPeers fromJson(JsonObject json) {
    return new TunPeers(JsonFields.list(json, "peers", TunPeer::fromJson));
  }
}
