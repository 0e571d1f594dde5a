package io.ringway.spi;

/**
 * Every event-bus address Ringway uses. Verticles talk to each other only through these.
 */
public final class Addresses {

  /** Publish: a validated {@link ConfigSnapshot}, sent by the config verticle on start and on every accepted change. */
  public static final String CONFIG_APPLIED = "ringway.config.applied";
  /** Publish: a {@link ConfigRejected} naming every error of a refused config; the running config stays. */
  public static final String CONFIG_REJECTED = "ringway.config.rejected";
  /** Request/reply: replies with the current {@link ConfigSnapshot}. */
  public static final String CONFIG_CURRENT = "ringway.config.current";
  /** Request/reply: replies with this node's {@link NodeInfo}. */
  public static final String NODE_INFO = "ringway.node.info";
  /** Request/reply: every verticle instance replies with its counters. */
  public static final String STATS_COLLECT = "ringway.stats.collect";
  /**
   * Publish (clustered): {@code {"replyTo": <address>}}; every member's admin verticle sends the
   * {@link #STATS_COLLECT} answers of its own node there, for cluster-wide stats.
   */
  public static final String STATS_NODE = "ringway.stats.node";
  /**
   * Publish (local): {@code {"deadline": <ISO instant>}}; data-plane verticles stop accepting and let
   * in-flight work finish. Sent by the node when a drain starts ({@link #NODE_DRAIN}).
   */
  public static final String DRAIN = "ringway.drain";
  /**
   * Request/reply (local): starts draining this node (once; later requests join it); replies
   * {@code {"phase": "DRAINING", "deadline": <ISO instant>}} at once, not when the drain ends.
   */
  public static final String NODE_DRAIN = "ringway.node.drain";
  /**
   * Publish: every tunnel peer the cluster knows, as JSON {@code {"peers":[TunPeerConfig fields + "owner"]}};
   * delivered on this node only, by the cluster registry.
   */
  public static final String TUN_PEERS = "ringway.tun.peers";
  /**
   * Request/reply: JSON {@code {"version":N,"document":{..},"source":".."}}: validate this raw document with
   * the node's overrides and run it as version N (ignored when N is not newer). Replies
   * {@code {"applied":bool,"version":running,"errors":[..]}}. Sent by the cluster's config sync.
   */
  public static final String CONFIG_APPLY = "ringway.config.apply";
  /**
   * Request/reply (clustered nodes only): JSON {@code {"text":"<yaml or json>","ifVersion":N?}} from
   * {@code PUT /config}. Replies {@code {"version":N}}; fails with code 400 (message: JSON
   * {@code {"errors":[..]}}), 409 (message: JSON {@code {"currentVersion":N}}) or 503.
   */
  public static final String CLUSTER_CONFIG_PUT = "ringway.cluster.config.put";
  /**
   * Request/reply (clustered nodes only): JSON {@code {"cluster":..,"host":..,"port":..,"weight":..}} from
   * {@code POST /endpoints/<cluster>}; the endpoint is owned by this node. Replies
   * {@code {"cluster":..,"endpoint":{..},"owner":..}}; fails with code 400, 404 (unknown cluster) or 503.
   */
  public static final String CLUSTER_ENDPOINTS_REGISTER = "ringway.cluster.endpoints.register";
  /**
   * Request/reply (clustered nodes only): a {@code TunPeerConfig} as JSON, announced as this node's
   * tunnel peer until the node leaves. Replies {@code {"owner":..}}; fails with code 400.
   */
  public static final String CLUSTER_TUN_PEERS_ANNOUNCE = "ringway.cluster.tun.peers.announce";

  private static final String ENDPOINTS_PREFIX = "ringway.endpoints.";
  private static final String HEALTH_PREFIX = "ringway.health.";

  /** Publish: the endpoint set of one upstream cluster ({@code EndpointsUpdate}); node-local. */
  public static String endpoints(String cluster) {
    return ENDPOINTS_PREFIX + cluster;
  }

  /** Publish: endpoint health transitions of one upstream cluster. */
  public static String health(String cluster) {
    return HEALTH_PREFIX + cluster;
  }

  private Addresses() {
  }
}
