package io.ringway.config.impl;

import io.ringway.spi.config.ClusterAnnouncement;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.upstream.ClusterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code cluster}: joining other Ringway nodes over an embedded Hazelcast member.
 * <pre>
 * cluster:
 *   enabled: false                 # or run with --cluster
 *   name: ringway
 *   secret: s3cret                 # clusters of one name but another secret never merge
 *   port: 5701
 *   portAutoIncrement: true
 *   interface: 10.0.*.*            # bind and advertise this interface (default: Hazelcast picks)
 *   joinTimeout: 30s
 *   failureTimeout: 10s            # a silent member, its endpoints and tunnel peers go after this
 *   minMembers: 1
 *   discovery:                     # exactly one of:
 *     tcpIp: {members: [127.0.0.1:5701-5703]}
 *     # multicast: {group: 224.2.2.3, port: 54327}
 *     # kubernetes: {serviceDns: ringway-hz, namespace: prod}
 *   announce:
 *     - {cluster: edge, listener: web}   # this node's listener "web" becomes an endpoint of "edge"
 * </pre>
 */
final class ClusterSection {

  /** {@code host}, {@code host:port} or {@code host:port-port}: what Hazelcast's member list accepts. */
  private static final Pattern MEMBER = Pattern.compile("[^\\s:\\[\\]]+(:\\d{1,5}(-\\d{1,5})?)?|\\[[0-9a-fA-F:.]+\\](:\\d{1,5}(-\\d{1,5})?)?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private ClusterSection() {
  }

  static ClusteringConfig read(ConfigReader root, List<ClusterConfig> clusters, TcpProxyConfig tcp, HttpRouterConfig http) {
    ClusteringConfig defaults = ClusteringConfig.DISABLED;
    ConfigReader cluster = root.object("cluster");
    boolean enabled = cluster.bool("enabled", false);
    String name = cluster.string("name", defaults.name());
    if (!NAME.matcher(name).matches()) {
      cluster.fail("name", "expected 1 to 64 letters, digits, '.', '_' or '-', got \"" + name + "\"");
    }
    String secret = cluster.optionalString("secret");
    int port = cluster.integer("port", 1, 65535, defaults.port());
    boolean autoIncrement = cluster.bool("portAutoIncrement", defaults.portAutoIncrement());
    String networkInterface = cluster.optionalString("interface");
    Duration joinTimeout = cluster.duration("joinTimeout", Duration.ofSeconds(1), Duration.ofMinutes(10), defaults.joinTimeout());
    Duration failureTimeout = cluster.duration("failureTimeout", Duration.ofSeconds(2), Duration.ofMinutes(10),
        defaults.failureTimeout());
    int minMembers = cluster.integer("minMembers", 1, 1000, defaults.minMembers());
    ClusterDiscovery discovery = discovery(cluster);
    List<ClusterAnnouncement> announce = announce(cluster, clusters, tcp, http);
    cluster.rejectUnknownKeys();
    return new ClusteringConfig(enabled, name, secret, port, autoIncrement, networkInterface, joinTimeout,
        failureTimeout, minMembers, discovery, announce);
  }

  private static ClusterDiscovery discovery(ConfigReader cluster) {
    if (!cluster.given("discovery")) {
      return ClusteringConfig.DEFAULT_DISCOVERY;
    }
    ConfigReader discovery = cluster.object("discovery");
    List<String> given = Stream.of("tcpIp", "multicast", "kubernetes").filter(discovery::given).toList();
    ClusterDiscovery chosen = ClusteringConfig.DEFAULT_DISCOVERY;
    if (given.size() > 1) {
      discovery.fail(given.get(1), "give one discovery method, got " + String.join(", ", given));
    }
    if (given.contains("tcpIp")) {
      ConfigReader tcpIp = discovery.object("tcpIp");
      List<String> members = new ArrayList<>();
      for (ConfigReader.Item<String> member : tcpIp.strings("members", 1, List.of())) {
        if (MEMBER.matcher(member.value()).matches()) {
          members.add(member.value());
        } else {
          tcpIp.failAt(member.path(), "expected host, host:port or host:port-port, got \"" + member.value() + "\"");
        }
      }
      if (!tcpIp.given("members")) {
        tcpIp.fail("members", "required");
      }
      tcpIp.rejectUnknownKeys();
      chosen = new ClusterDiscovery.TcpIp(members);
    }
    if (given.contains("multicast")) {
      ConfigReader multicast = discovery.object("multicast");
      String group = multicast.string("group", "224.2.2.3");
      int port = multicast.integer("port", 1, 65535, 54327);
      multicast.rejectUnknownKeys();
      chosen = given.getFirst().equals("multicast") ? new ClusterDiscovery.Multicast(group, port) : chosen;
    }
    if (given.contains("kubernetes")) {
      ConfigReader kubernetes = discovery.object("kubernetes");
      String serviceDns = kubernetes.string("serviceDns", null);
      if (serviceDns == null) {
        kubernetes.fail("serviceDns", "required: the headless service Hazelcast looks up");
      }
      String namespace = kubernetes.optionalString("namespace");
      kubernetes.rejectUnknownKeys();
      if (serviceDns != null && given.getFirst().equals("kubernetes")) {
        chosen = new ClusterDiscovery.Kubernetes(serviceDns, namespace);
      }
    }
    if (given.isEmpty()) {
      discovery.fail("tcpIp", "give one discovery method: tcpIp, multicast or kubernetes");
    }
    discovery.rejectUnknownKeys();
    return chosen;
  }

  private static List<ClusterAnnouncement> announce(ConfigReader cluster, List<ClusterConfig> clusters, TcpProxyConfig tcp,
                                                    HttpRouterConfig http) {
    List<String> clusterNames = clusters.stream().map(ClusterConfig::name).toList();
    List<String> listeners = Stream.concat(tcp.listeners().stream().map(l -> l.name()),
        http.listeners().stream().map(l -> l.name())).toList();
    List<ClusterAnnouncement> announce = new ArrayList<>();
    for (ConfigReader entry : cluster.objects("announce")) {
      String target = entry.string("cluster", null);
      String listener = entry.string("listener", null);
      String host = entry.optionalString("host");
      if (target == null) {
        entry.fail("cluster", "required");
      } else if (!clusterNames.contains(target)) {
        entry.fail("cluster", "unknown cluster \"" + target + "\" (known: " + String.join(", ", clusterNames) + ")");
      }
      if (listener == null) {
        entry.fail("listener", "required");
      } else if (!listeners.contains(listener)) {
        entry.fail("listener", "unknown listener \"" + listener + "\" (known: " + String.join(", ", listeners) + ")");
      }
      entry.rejectUnknownKeys();
      if (target != null && listener != null) {
        announce.add(new ClusterAnnouncement(target, listener, host));
      }
    }
    return announce;
  }
}
