package io.ringway.config.impl;

import io.ringway.spi.config.SniRouting;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.upstream.ClusterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

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
 *       maxConnectionsPerSecond: 0   # new connections per second, node-wide; 0: no limit
 *       sni:                         # TLS passthrough by the ClientHello's server name (not terminated)
 *         routes:
 *           - {serverNames: [a.example.com, "*.b.example.com"], cluster: b}
 *         unmatched: default         # default: to the listener's cluster | close
 *         peekBytes: 16384
 *         peekTimeout: 5s
 * </pre>
 */
final class TcpSection {

  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  static final int DEFAULT_CONNECT_RETRIES = 1;
  private static final Pattern SERVER_NAME =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

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
      int perSecond = listener.integer("maxConnectionsPerSecond", 0, 10_000_000, 0);
      SniRouting sni = listener.given("sni") ? sni(listener.object("sni"), clusterNames) : null;
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
          retries, acceptProxyProtocol, trusted, sni, perSecond));
    }
    tcp.rejectUnknownKeys();
    return new TcpProxyConfig(listeners);
  }

  private static SniRouting sni(ConfigReader sni, List<String> clusterNames) {
    Map<String, String> claimed = new HashMap<>();
    List<SniRouting.Route> routes = new ArrayList<>();
    for (ConfigReader route : sni.objects("routes")) {
      List<String> serverNames = new ArrayList<>();
      for (ConfigReader.Item<String> item : route.strings("serverNames", 1, List.of())) {
        String name = item.value().toLowerCase(Locale.ROOT);
        String plain = name.startsWith("*.") ? name.substring(2) : name;
        if (!SERVER_NAME.matcher(plain).matches()) {
          route.failAt(item.path(), "expected a DNS name such as a.example.com or *.example.com (one label), got \""
              + item.value() + "\"");
        } else if (claimed.putIfAbsent(name, item.path()) != null) {
          route.failAt(item.path(), "\"" + name + "\" is already routed by " + claimed.get(name));
        } else {
          serverNames.add(name);
        }
      }
      if (!route.has("serverNames")) {
        route.fail("serverNames", "required: the names this route takes");
      }
      String cluster = route.string("cluster", null);
      if (cluster == null) {
        route.fail("cluster", "required");
      } else if (!clusterNames.contains(cluster)) {
        route.fail("cluster", "unknown cluster \"" + cluster + "\" (known: " + String.join(", ", clusterNames) + ")");
      }
      route.rejectUnknownKeys();
      if (cluster != null) {
        routes.add(new SniRouting.Route(serverNames, cluster));
      }
    }
    String unmatched = sni.string("unmatched", "default");
    if (!unmatched.equals("default") && !unmatched.equals("close")) {
      sni.fail("unmatched", "expected default or close, got \"" + unmatched + "\"");
    }
    int peekBytes = sni.integer("peekBytes", 512, 1 << 20, SniRouting.DEFAULT_PEEK_BYTES);
    Duration peekTimeout = sni.duration("peekTimeout", Duration.ofMillis(1), Duration.ofMinutes(5),
        SniRouting.DEFAULT_PEEK_TIMEOUT);
    sni.rejectUnknownKeys();
    return new SniRouting(routes, unmatched.equals("close") ? SniRouting.Unmatched.CLOSE : SniRouting.Unmatched.DEFAULT,
        peekBytes, peekTimeout);
  }
}
