package io.ringway.spi.config;

import java.util.List;

/**
 * The L4 proxy: its listeners, each forwarding to one upstream cluster.
 *
 * @param listeners in config order; names are unique
 */
public record TcpProxyConfig(List<TcpListenerConfig> listeners) {

  /** No TCP listeners. */
  public static final TcpProxyConfig NONE = new TcpProxyConfig(List.of());

  public TcpProxyConfig {
    listeners = List.copyOf(listeners);
  }
}
