package io.ringway.spi;

import io.ringway.spi.config.TunPeerConfig;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.ConfigCheck;
import io.ringway.spi.message.ConfigChecked;
import io.ringway.spi.message.ConfigApply;
import io.ringway.spi.message.ConfigApplyResult;
import io.ringway.spi.message.ConfigPut;
import io.ringway.spi.message.ConfigStored;
import io.ringway.spi.message.DrainOrder;
import io.ringway.spi.message.DrainStatus;
import io.ringway.spi.message.EndpointOwners;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.RegisterEndpoint;
import io.ringway.spi.message.StatsRequest;
import io.ringway.spi.message.TunPeer;
import io.ringway.spi.message.TunPeers;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthTransition;

/**
 * Every event-bus address Ringway uses. Verticles talk to each other only through these, and every
 * message is a record with a codec from {@link MessageCodecs}: passed by reference on its node, sent as
 * its JSON form to another. <em>Local</em> addresses never leave the node, even on a clustered bus:
 * their consumers are local and senders set {@code DeliveryOptions.setLocalOnly(true)}. A request
 * "with no body" sends {@code null}.
 */
public final class Addresses {

  /**
   * Publish (local): a validated {@link ConfigSnapshot}, sent by the config verticle on start and on every
   * accepted change. Local only: the snapshot has no JSON form, and each node runs its own config.
   */
  public static final String CONFIG_APPLIED = "ringway.config.applied";
  /** Publish (local): a {@link ConfigRejected} naming every error of a refused config; the running config stays. */
  public static final String CONFIG_REJECTED = "ringway.config.rejected";
  /** Request/reply (local), no body: replies with the current {@link ConfigSnapshot}; local only, as that has no JSON form. */
  public static final String CONFIG_CURRENT = "ringway.config.current";
  /**
   * Request/reply (local): a {@link ConfigCheck}; the config verticle judges the document with the node's
   * overrides, as {@code ringway validate} does, changes nothing and replies a {@link ConfigChecked}.
   */
  public static final String CONFIG_CHECK = "ringway.config.check";
  /** Request/reply (local), no body: replies with this node's {@link NodeInfo}. */
  public static final String NODE_INFO = "ringway.node.info";
  /**
   * Publish (local): a {@link StatsRequest}; every data-plane verticle instance sends its
   * {@link InstanceStats} to the request's {@code replyTo}. A request with any other body gets one
   * instance's {@link InstanceStats} as the reply.
   */
  public static final String STATS_COLLECT = "ringway.stats.collect";
  /**
   * Publish (clustered): a {@link StatsRequest}; every member's admin verticle sends the
   * {@link CollectedStats} of its own node ({@link #STATS_COLLECT}) to {@code replyTo}, for cluster-wide stats.
   */
  public static final String STATS_NODE = "ringway.stats.node";
  /**
   * Publish (local): a {@link DrainOrder}; data-plane verticles stop accepting and let in-flight work
   * finish by its deadline. Sent by the node when a drain starts ({@link #NODE_DRAIN}).
   */
  public static final String DRAIN = "ringway.drain";
  /**
   * Request/reply (local), no body: starts draining this node (once; later requests join it); replies a
   * {@link DrainStatus} at once, not when the drain ends.
   */
  public static final String NODE_DRAIN = "ringway.node.drain";
  /**
   * Publish (local): {@link TunPeers}, every tunnel peer the cluster knows with its owner; delivered on
   * this node only, by the cluster registry.
   */
  public static final String TUN_PEERS = "ringway.tun.peers";
  /**
   * Request/reply (local): a {@link ConfigApply}: validate its raw document with the node's overrides and run
   * it as its version (ignored when not newer). Replies a {@link ConfigApplyResult}. Sent by the cluster's
   * config sync.
   */
  public static final String CONFIG_APPLY = "ringway.config.apply";
  /**
   * Request/reply (local; clustered nodes only): a {@link ConfigPut} from {@code PUT /config}. Replies a
   * {@link ConfigStored}; fails with code 400 (message: JSON {@code {"errors":[..]}}), 409 (message: JSON
   * {@code {"currentVersion":N}}) or 503.
   */
  public static final String CLUSTER_CONFIG_PUT = "ringway.cluster.config.put";
  /**
   * Request/reply (local; clustered nodes only): a {@link RegisterEndpoint} from
   * {@code POST /endpoints/<cluster>}; the endpoint is owned by this node. Replies an
   * {@link EndpointRegistered}; fails with code 404 (unknown cluster) or 503.
   */
  public static final String CLUSTER_ENDPOINTS_REGISTER = "ringway.cluster.endpoints.register";
  /**
   * Request/reply (local; clustered nodes only), no body: replies the registry's {@link EndpointOwners} as this
   * node last read them, for the dashboard's "which node owns which endpoint".
   */
  public static final String CLUSTER_ENDPOINTS_OWNERS = "ringway.cluster.endpoints.owners";
  /**
   * Request/reply (local; clustered nodes only): a {@link TunPeerConfig}, announced as this node's tunnel
   * peer until the node leaves. Replies the {@link TunPeer} entry with its owner; fails with code 400 (no
   * name or public key) or 503.
   */
  public static final String CLUSTER_TUN_PEERS_ANNOUNCE = "ringway.cluster.tun.peers.announce";

  private static final String ENDPOINTS_PREFIX = "ringway.endpoints.";
  private static final String HEALTH_PREFIX = "ringway.health.";

  /** Publish (local): the whole endpoint set of one upstream cluster, an {@link EndpointsUpdate}. */
  public static String endpoints(String cluster) {
    return ENDPOINTS_PREFIX + cluster;
  }

  /** Publish (local): a {@link HealthTransition} of an endpoint of one upstream cluster. */
  public static String health(String cluster) {
    return HEALTH_PREFIX + cluster;
  }

  private Addresses() {
  }
}
