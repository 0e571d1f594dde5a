package io.ringway.tcp.impl;

import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the proxy that config does not expose (yet): fixed for the life of an instance.
 *
 * @param proxyHeaderTimeout how long a client may take to send its whole PROXY header
 * @param proxyHeaderMaxBytes bound on one v2 PROXY header, TLVs included
 * @param writeQueueMaxSize bytes one direction may hold in user space before its reader pauses:
 *     the per-connection memory bound, traded against throughput
 * @param closeGrace how long a side may take to flush what it has queued once its peer closed,
 *     before it is closed anyway: a peer that never reads cannot hold a connection open
 * @param observer told when a connection's sockets are paired and when they close; tests only
 */
public record Tunables(Duration proxyHeaderTimeout, int proxyHeaderMaxBytes, int writeQueueMaxSize,
                       Duration closeGrace, ConnectionObserver observer) {

  /** HAProxy's default {@code timeout client} for a header is far longer; 5 s bounds slowloris-style holds. */
  public static final Duration DEFAULT_PROXY_HEADER_TIMEOUT = Duration.ofSeconds(5);
  /** Four times Netty's default high-water mark: fewer pause/resume cycles on fast links. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 256 * 1024;
  public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(30);

  public Tunables {
    Objects.requireNonNull(proxyHeaderTimeout, "proxyHeaderTimeout");
    Objects.requireNonNull(closeGrace, "closeGrace");
    Objects.requireNonNull(observer, "observer");
    if (writeQueueMaxSize < 2) {
      throw new IllegalArgumentException("writeQueueMaxSize: " + writeQueueMaxSize + " must be at least 2");
    }
  }

  public static Tunables defaults() {
    return new Tunables(DEFAULT_PROXY_HEADER_TIMEOUT, ProxyProtocolParser.DEFAULT_MAX_BYTES,
        DEFAULT_WRITE_QUEUE_MAX_SIZE, DEFAULT_CLOSE_GRACE, ConnectionObserver.NONE);
  }

  public Tunables withProxyHeaderTimeout(Duration timeout) {
    return new Tunables(timeout, proxyHeaderMaxBytes, writeQueueMaxSize, closeGrace, observer);
  }

  public Tunables withObserver(ConnectionObserver observer) {
    return new Tunables(proxyHeaderTimeout, proxyHeaderMaxBytes, writeQueueMaxSize, closeGrace, observer);
  }

  /** Sees each proxied connection's Netty channels twice: once paired, once closed. Called on the loop. */
  public interface ConnectionObserver {

    ConnectionObserver NONE = new ConnectionObserver() {
    };

    /** Both sockets are open and bytes are about to flow. */
    default void paired(Channel downstream, Channel upstream) {
    }

    /** Both sockets are closed; {@code upstream} is null when none was ever connected. */
    default void closed(Channel downstream, Channel upstream) {
    }
  }
}
