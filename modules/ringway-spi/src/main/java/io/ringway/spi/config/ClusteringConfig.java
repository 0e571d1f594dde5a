package io.ringway.spi.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code cluster}: whether and how this node joins other Ringway nodes over an embedded Hazelcast
 * member. Off by default: a standalone node starts no Hazelcast at all.
 *
 * @param enabled whether the node joins a cluster ({@code --cluster} also turns it on)
 * @param name the cluster's name; nodes with different names never merge
 * @param secret shared secret mixed into the Hazelcast cluster name, so clusters of the same name but
 *     another secret do not merge either; {@code null} for none
 * @param port first Hazelcast member port
 * @param portAutoIncrement whether the next ports are tried when {@code port} is taken
 * @param networkInterface the interface (IP or wildcard like {@code 10.0.*.*}) Hazelcast binds and
 *     advertises; {@code null} lets Hazelcast choose
 * @param joinTimeout how long startup may take to join before the node gives up
 * @param failureTimeout how long a silent member stays in the cluster; then it, its endpoints and its
 *     tunnel peers are removed
 * @param minMembers members that must be present before the node starts; 1 forms a cluster alone
 * @param discovery how members find each other
 * @param announce this node's own listeners, registered as endpoints of upstream clusters
 */
public record ClusteringConfig(boolean enabled, String name, String secret, int port, boolean portAutoIncrement,
                               String networkInterface, Duration joinTimeout, Duration failureTimeout, int minMembers,
                               ClusterDiscovery discovery, List<ClusterAnnouncement> announce) {

  public static final String DEFAULT_NAME = "ringway";
  public static final int DEFAULT_PORT = 5701;
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(10);
  /** Members on this machine: the local-run default discovery. */
  public static final ClusterDiscovery DEFAULT_DISCOVERY = new ClusterDiscovery.TcpIp(List.of("127.0.0.1:5701-5703"));

  /** Clustering off, with the defaults {@code --cluster} uses. */
  public static final ClusteringConfig DISABLED = new ClusteringConfig(false, DEFAULT_NAME, null, DEFAULT_PORT, true,
      null, DEFAULT_JOIN_TIMEOUT, DEFAULT_FAILURE_TIMEOUT, 1, DEFAULT_DISCOVERY, List.of());

  public ClusteringConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(discovery, "discovery");
    announce = announce == null ? List.of() : List.copyOf(announce);
  }

  /** This config with {@code enabled} set, as {@code --cluster} asks. */
  public ClusteringConfig withEnabled(boolean on) {
    return new ClusteringConfig(on, name, secret, port, portAutoIncrement, networkInterface, joinTimeout,
        failureTimeout, minMembers, discovery, announce);
  }
}
