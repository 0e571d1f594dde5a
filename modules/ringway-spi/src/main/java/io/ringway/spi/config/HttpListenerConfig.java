package io.ringway.spi.config;

import java.time.Duration;
import java.util.Objects;

/**
 * One HTTP listener of the router: HTTP/1.1 with keep-alive, plus h2c when enabled, or TLS with h2 and
 * HTTP/1.1 through ALPN.
 *
 * @param name unique name, used in stats
 * @param host bind address (default {@code 0.0.0.0})
 * @param port TCP port (default 8080)
 * @param h2c accept HTTP/2 cleartext by prior knowledge and by upgrade (default true)
 * @param maxHeaderBytes limit on the request line plus headers, in bytes; over it → 431 (default 8192)
 * @param maxBodyBytes limit on a request body, in bytes; over it → 413 (default 10 MiB); 0 for no limit
 * @param headerReadTimeout a new connection must send its first full request head within this; else 408
 *     and close (default 10 s)
 * @param idleTimeout a keep-alive connection with no traffic for this long is closed (default 60 s); zero for never
 * @param maxConcurrentStreams streams one HTTP/2 connection may have open at once, advertised in SETTINGS;
 *     the codec refuses streams beyond it (default 100)
 * @param maxConnections connections open at once on this listener, node-wide; at it the listener stops accepting
 *     and new connections wait in the kernel's accept queue ({@code io.ringway.spi.AcceptLimits});
 *     {@link #AUTO_MAX_CONNECTIONS} (the default) for what the process's open-file limit allows
 * @param tls TLS termination, or null for cleartext (default)
 * @param idleParkAfter an HTTP/1 keep-alive connection (cleartext or TLS) idle this long between two requests lets
 *     go of its per-connection HTTP state until its next byte (default 10 s); zero for never
 * @param byteLevelHttp1 forward the requests it can (GET and HEAD without a body, POST and PUT with a Content-Length
 *     one, to cleartext HTTP/1.1 clusters, on routes without filters) from the bytes received, without decoding them into objects (default false); cleartext
 *     listeners only
 * @param mergeSlashes runs of slashes in a request's path count as one, for routing and upstream alike (default true);
 *     off for upstreams whose paths hold empty segments ({@code /proxy/https://x}); escapes of unreserved bytes and
 *     dot-segments are normalized either way (RFC 3986 §6.2.2)
 */
public record HttpListenerConfig(String name, String host, int port, boolean h2c, int maxHeaderBytes,
                                 long maxBodyBytes, Duration headerReadTimeout, Duration idleTimeout,
                                 int maxConcurrentStreams, int maxConnections, TlsConfig tls, Duration idleParkAfter,
                                 boolean byteLevelHttp1, boolean mergeSlashes) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_HEADER_BYTES = 8192;
  public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
  public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE_PARK_AFTER = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  /** {@code maxConnections: auto}: the open-file limit decides, when the listener starts. */
  public static final int AUTO_MAX_CONNECTIONS = 0;

  public HttpListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is outside 0..65535");
    }
    if (maxHeaderBytes < 256) {
      throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " must be at least 256");
    }
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " must not be negative");
    }
    Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (maxConcurrentStreams < 1) {
      throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " must be positive");
    }
    if (maxConnections < 0) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " must not be negative (0: auto)");
    }
    Objects.requireNonNull(idleParkAfter, "idleParkAfter");
    if (idleParkAfter.isNegative()) {
      throw new IllegalArgumentException("idleParkAfter: " + idleParkAfter + " must not be negative (0: never)");
    }
    if (byteLevelHttp1 && tls != null) {
      throw new IllegalArgumentException("byteLevelHttp1: cleartext listeners only (this one has tls)");
    }
  }

  /** A listener that merges slashes (the default). */
  public HttpListenerConfig(String name, String host, int port, boolean h2c, int maxHeaderBytes, long maxBodyBytes,
                            Duration headerReadTimeout, Duration idleTimeout, int maxConcurrentStreams,
                            int maxConnections, TlsConfig tls, Duration idleParkAfter, boolean byteLevelHttp1) {
    this(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout, idleTimeout, maxConcurrentStreams,
        maxConnections, tls, idleParkAfter, byteLevelHttp1, true);
  }

  /** A listener as configured before {@code byteLevelHttp1}: every request takes the decoding path. */
  public HttpListenerConfig(String name, String host, int port, boolean h2c, int maxHeaderBytes, long maxBodyBytes,
                            Duration headerReadTimeout, Duration idleTimeout, int maxConcurrentStreams,
                            int maxConnections, TlsConfig tls, Duration idleParkAfter) {
    this(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout, idleTimeout, maxConcurrentStreams,
        maxConnections, tls, idleParkAfter, false);
  }

  /** A listener whose idle keep-alive connections park after {@link #DEFAULT_IDLE_PARK_AFTER}. */
  public HttpListenerConfig(String name, String host, int port, boolean h2c, int maxHeaderBytes, long maxBodyBytes,
                            Duration headerReadTimeout, Duration idleTimeout, int maxConcurrentStreams,
                            int maxConnections, TlsConfig tls) {
    this(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout, idleTimeout, maxConcurrentStreams,
        maxConnections, tls, DEFAULT_IDLE_PARK_AFTER);
  }

  /** A listener with every default but its name, host and port. */
  public static HttpListenerConfig of(String name, String host, int port) {
    return new HttpListenerConfig(name, host, port, true, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES,
        DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONCURRENT_STREAMS, AUTO_MAX_CONNECTIONS, null);
  }

  /** This listener terminating TLS with {@code tls} (null: cleartext). */
  public HttpListenerConfig withTls(TlsConfig tls) {
    return new HttpListenerConfig(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout, idleTimeout,
        maxConcurrentStreams, maxConnections, tls, idleParkAfter, byteLevelHttp1, mergeSlashes);
  }

  /** This listener with the byte-level HTTP/1 path on or off. */
  public HttpListenerConfig withByteLevelHttp1(boolean on) {
    return new HttpListenerConfig(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout,
        idleTimeout, maxConcurrentStreams, maxConnections, tls, idleParkAfter, on, mergeSlashes);
  }

  /** This listener with runs of slashes in paths merged or kept. */
  public HttpListenerConfig withMergeSlashes(boolean on) {
    return new HttpListenerConfig(name, host, port, h2c, maxHeaderBytes, maxBodyBytes, headerReadTimeout,
        idleTimeout, maxConcurrentStreams, maxConnections, tls, idleParkAfter, byteLevelHttp1, on);
  }
}
