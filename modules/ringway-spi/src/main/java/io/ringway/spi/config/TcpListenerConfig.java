package io.ringway.spi.config;

import java.time.Duration;
import java.util.List;

/**
 * One TCP listener of the L4 proxy.
 *
 * @param name unique name, used in stats
 * @param host bind address
 * @param port TCP port
 * @param cluster the upstream cluster connections go to
 * @param connectTimeout limit on opening the upstream connection; null keeps the cluster's
 * @param idleTimeout a connection with no bytes either way for this long is closed; zero for never
 * @param maxConnections downstream connections over this are closed at once and counted
 * @param connectRetries further endpoints tried when connecting to one fails
 * @param acceptProxyProtocol whether connections start with a PROXY protocol header (v1 or v2)
 * @param trustedSources CIDR blocks allowed to send a PROXY header; others are closed and counted
 * @param sni TLS passthrough by server name, or null: every connection goes to {@code cluster}
 * @param maxConnectionsPerSecond new connections per second the listener takes (node-wide, each of its event
 *     loops a share); those over it are reset and counted; 0 for no limit
 */
public record TcpListenerConfig(String name, String host, int port, String cluster, Duration connectTimeout,
                                Duration idleTimeout, int maxConnections, int connectRetries,
                                boolean acceptProxyProtocol, List<String> trustedSources, SniRouting sni,
                                int maxConnectionsPerSecond) {

  public TcpListenerConfig {
    trustedSources = List.copyOf(trustedSources);
  }

  /** A listener without SNI routing or a connection rate limit. */
  public TcpListenerConfig(String name, String host, int port, String cluster, Duration connectTimeout,
                           Duration idleTimeout, int maxConnections, int connectRetries, boolean acceptProxyProtocol,
                           List<String> trustedSources) {
    this(name, host, port, cluster, connectTimeout, idleTimeout, maxConnections, connectRetries, acceptProxyProtocol,
        trustedSources, null, 0);
  }
}
