package io.ringway.config.impl;

import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.upstream.ClusterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tcp}: the L4 proxy's listeners.
 * <pre>
 * tcp:
 *   listeners:
 *     - name: demo
 *       host: 0.0.0.0
 *       port: 9000
 *       cluster: demo-tcp
 *       connectTimeout: 2s           # default: the cluster's
 *       idleTimeout: 1h              # 0: never
 *       maxConnections: 10000
 *       connectRetries: 1
 *       acceptProxyProtocol: false
 *       trustedSources: [127.0.0.1/32]
 * </pre>
 */
final class TcpSection {

  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  static final int DEFAULT_CONNECT_RETRIES = 1;

  private TcpSection() {
  }

  static TcpProxyConfig read(ConfigReader root, List<ClusterConfig> clusters) {
    List<String> clusterNames = clusters.stream().map(ClusterConfig::name).toList();
    ConfigReader tcp = root.object("tcp");
    Map<String, String> names = new HashMap<>();
    Map<String, String> addresses = new HashMap<>();
    List<TcpListenerConfig> listeners = new ArrayList<>();
    for (ConfigReader listener : tcp.objects("listeners")) {
      String name = listener.string("name", null);
      String host = listener.string("host", "0.0.0.0");
      int port = listener.integer("port", 1, 65535, 0);
      String cluster = listener.string("cluster", null);
      Duration connectTimeout = listener.has("connectTimeout")
          ? listener.duration("connectTimeout", Duration.ofMillis(1), Duration.ofHours(1), ClusterConfig.DEFAULT_CONNECT_TIMEOUT)
          : null;
      Duration idleTimeout = listener.duration("idleTimeout", Duration.ZERO, Duration.ofDays(7), DEFAULT_IDLE_TIMEOUT);
      int maxConnections = listener.integer("maxConnections", 1, 10_000_000, DEFAULT_MAX_CONNECTIONS);
      int retries = listener.integer("connectRetries", 0, 16, DEFAULT_CONNECT_RETRIES);
      boolean acceptProxyProtocol = listener.bool("acceptProxyProtocol", false);
      List<String> trusted = new ArrayList<>();
      for (ConfigReader.Item<String> source : listener.strings("trustedSources", 0, List.of())) {
        if (Cidrs.isValid(source.value())) {
          trusted.add(source.value());
        } else {
          listener.failAt(source.path(), "expected an address or CIDR block such as 10.0.0.0/8 or ::1/128, got \"" + source.value() + "\"");
        }
      }
      listener.rejectUnknownKeys();
      if (name == null) {
        listener.fail("name", "required");
      } else if (names.putIfAbsent(name, listener.pathOf("name")) != null) {
        listener.fail("name", "duplicate listener \"" + name + "\" (already at " + names.get(name) + ")");
      }
      if (port == 0 && !listener.has("port")) {
        listener.fail("port", "required");
      } else if (port != 0 && addresses.putIfAbsent(host + ":" + port, listener.pathOf("port")) != null) {
        listener.fail("port", host + ":" + port + " is already taken by " + addresses.get(host + ":" + port));
      }
      if (cluster == null) {
        listener.fail("cluster", "required");
      } else if (!clusterNames.contains(cluster)) {
        listener.fail("cluster", "unknown cluster \"" + cluster + "\" (known: " + String.join(", ", clusterNames) + ")");
      }
      if (acceptProxyProtocol && trusted.isEmpty()) {
        // Accepting PROXY headers from anyone would let any client claim any source address.
        listener.fail("trustedSources", "required when acceptProxyProtocol is true");
      }
      listeners.add(new TcpListenerConfig(name, host, port, cluster, connectTimeout, idleTimeout, maxConnections,
          retries, acceptProxyProtocol, trusted));
    }
    tcp.rejectUnknownKeys();
    return new TcpProxyConfig(listeners);
  }
}
