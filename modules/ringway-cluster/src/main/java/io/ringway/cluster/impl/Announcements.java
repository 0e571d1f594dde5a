package io.ringway.cluster.impl;

import io.ringway.spi.config.ClusterAnnouncement;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.upstream.Endpoint;

/** Where other nodes reach a listener this node announces. */
final class Announcements {

  private Announcements() {
  }

  /**
   * The endpoint for {@code announcement}: the given host, else the listener's own host, else, for a
   * listener bound to a wildcard, {@code memberHost} (the address this member is known by in the
   * cluster). Null when the listener is gone from the config.
   */
  static Endpoint endpoint(ClusterAnnouncement announcement, RingwayConfig config, String memberHost) {
    String host = null;
    int port = 0;
    for (TcpListenerConfig listener : config.tcp().listeners()) {
      if (listener.name().equals(announcement.listener())) {
        host = listener.host();
        port = listener.port();
      }
    }
    for (HttpListenerConfig listener : config.http().listeners()) {
      if (listener.name().equals(announcement.listener())) {
        host = listener.host();
        port = listener.port();
      }
    }
    if (host == null) {
      return null;
    }
    if (announcement.host() != null) {
      host = announcement.host();
    } else if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = memberHost;
    }
    return Endpoint.of(host, port);
  }
}
