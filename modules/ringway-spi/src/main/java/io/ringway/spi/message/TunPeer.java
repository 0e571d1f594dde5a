package io.ringway.spi.message;

import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One tunnel peer the cluster knows, with the member that announced it: an element of {@link TunPeers},
 * and the reply to an announcement on {@link io.ringway.spi.Addresses#CLUSTER_TUN_PEERS_ANNOUNCE}.
 *
 * @param config the peer as announced
 * @param owner the id of the cluster member that owns the entry; it goes when that member leaves
 */
public record TunPeer(TunPeerConfig config, String owner) {

  public TunPeer {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(owner, "owner");
  }

  /** The peer's {@link TunPeerConfig#toJson()} fields plus {@code "owner"}. */
  public JsonObject toJson() {
    return config.toJson().put("owner", owner);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static TunPeer fromJson(JsonObject json) {
    return new TunPeer(TunPeerConfig.fromJson(json), JsonFields.string(json, "owner"));
  }
}
