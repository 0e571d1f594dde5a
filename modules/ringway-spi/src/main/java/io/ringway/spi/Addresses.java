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
  /** Publish: drain deadline; listeners stop accepting and finish in-flight work. */
  public static final String DRAIN = "ringway.drain";
  /** Publish: tunnel peers and their prefixes. */
  public static final String TUN_PEERS = "ringway.tun.peers";

  private static final String ENDPOINTS_PREFIX = "ringway.endpoints.";
  private static final String HEALTH_PREFIX = "ringway.health.";

  /** Publish: the endpoint set of one upstream cluster. */
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
