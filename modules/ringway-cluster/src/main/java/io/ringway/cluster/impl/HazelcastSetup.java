package io.ringway.cluster.impl;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.ringway.spi.SharedMaps;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns {@code cluster:} into a Hazelcast member config that Vert.x's cluster manager can run on. */
public final class HazelcastSetup {

  /** The member attribute Vert.x's {@code HazelcastClusterManager} reads its node id from. */
  public static final String VERTX_NODE_ID = "__vertx.nodeId";
  /** Ports a member tries from {@code port} on when auto-increment is on. */
  static final int PORT_COUNT = 100;
  private static final Pattern PORT_RANGE = Pattern.compile("(.+):(\\d{1,5})-(\\d{1,5})");

  private HazelcastSetup() {
  }

  /**
   * The Hazelcast cluster name: {@code name} alone without a secret, else {@code name-<hash>} where the
   * hash is the first 16 hex digits of SHA-256 over name and secret. Hazelcast refuses members whose
   * cluster name differs, so another secret keeps clusters apart, and the secret itself never travels.
   */
  public static String clusterName(String name, String secret) {
    if (secret == null) {
      return name;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((name + '\u0000' + secret).getBytes(StandardCharsets.UTF_8));
      return name + "-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The member config for {@code cluster}, with {@code nodeId} as this member's Vert.x node id. */
  public static Config build(ClusteringConfig cluster, String nodeId) {
    Config config = new Config();
    config.setClusterName(clusterName(cluster.name(), cluster.secret()));
    config.setInstanceName("ringway-" + nodeId);
    config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID, nodeId);
    // Ringway stops the member itself, after Vert.x has left the cluster in order.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    // A member silent for failureTimeout is removed, and with it its endpoints and tunnel peers.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(cluster.failureTimeout().toSeconds()));
    config.setProperty("hazelcast.initial.min.cluster.size", String.valueOf(cluster.minMembers()));
    // Hazelcast waits 5 s before joining and 300 s before healing a split; both are too slow for a proxy fleet.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
    vertxStructures(config);
    network(config.getNetworkConfig(), cluster);
    return config;
  }

  /** What Vert.x's own default-cluster.xml declares (subscriptions as sets, backed up once), and Ringway's maps. */
  private static void vertxStructures(Config config) {
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    // Vert.x's cluster-wide AsyncMap cannot set a TTL on compare-and-set: the map's own TTL expires idle counters.
    config.addMapConfig(new MapConfig(SharedMaps.RATE_LIMITS).setBackupCount(1)
        .setTimeToLiveSeconds(SharedMaps.RATE_LIMIT_TTL_SECONDS));
  }

  /**
   * Hazelcast takes {@code host} or {@code host:port} but no port range: {@code 127.0.0.1:5701-5703} becomes
   * three members.
   */
  static List<String> expand(List<String> members) {
    List<String> expanded = new ArrayList<>();
    for (String member : members) {
      Matcher range = PORT_RANGE.matcher(member);
      if (!range.matches()) {
        expanded.add(member);
        continue;
      }
      int first = Integer.parseInt(range.group(2));
      int last = Math.min(Integer.parseInt(range.group(3)), first + PORT_COUNT - 1);
      for (int port = first; port <= last; port++) {
        expanded.add(range.group(1) + ":" + port);
      }
    }
    return expanded;
  }

  private static void network(NetworkConfig network, ClusteringConfig cluster) {
    network.setPort(cluster.port()).setPortAutoIncrement(cluster.portAutoIncrement())
        .setPortCount(cluster.portAutoIncrement() ? PORT_COUNT : 1);
    if (cluster.networkInterface() != null) {
      network.getInterfaces().setEnabled(true).addInterface(cluster.networkInterface());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    switch (cluster.discovery()) {
      case ClusterDiscovery.TcpIp tcpIp -> join.getTcpIpConfig().setEnabled(true).setMembers(expand(tcpIp.members()))
          .setConnectionTimeoutSeconds((int) Math.max(1, Math.min(5, cluster.joinTimeout().toSeconds())));
      case ClusterDiscovery.Multicast multicast -> join.getMulticastConfig().setEnabled(true)
          .setMulticastGroup(multicast.group()).setMulticastPort(multicast.port());
      case ClusterDiscovery.Kubernetes kubernetes -> join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", kubernetes.lookupName())
          .setProperty("service-port", String.valueOf(cluster.port()))
          .setProperty("service-dns-timeout", String.valueOf(Math.max(1, cluster.joinTimeout().toSeconds() / 2)));
    }
  }
}
