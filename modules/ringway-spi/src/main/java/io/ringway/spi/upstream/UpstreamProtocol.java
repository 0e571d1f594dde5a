package io.ringway.spi.upstream;

/** How the HTTP router speaks to a cluster's endpoints ({@code clusters[].protocol}). */
public enum UpstreamProtocol {
  /** HTTP/1.1 with keep-alive: one request at a time per pooled connection (the default). */
  HTTP1("http1"),
  /** HTTP/2 over cleartext with prior knowledge: requests multiplexed as streams on few connections. */
  H2C("h2c"),
  /** HTTP/2 over TLS, agreed through ALPN (the cluster's {@code tls} is required). */
  H2("h2");

  private final String configName;

  UpstreamProtocol(String configName) {
    this.configName = configName;
  }

  /** The name config uses. */
  public String configName() {
    return configName;
  }
}
