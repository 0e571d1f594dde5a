package io.ringway.config.impl;

import io.ringway.spi.config.DemoUpstreamConfig;

/** {@code demoUpstream}: the built-in HTTP and TCP echo backends. */
final class DemoUpstreamSection {

  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_HTTP_PORT = 8081;
  static final int DEFAULT_TCP_PORT = 9001;

  private DemoUpstreamSection() {
  }

  /** @param hostname the default {@code node}: the name the greeting gives */
  static DemoUpstreamConfig read(ConfigReader root, String hostname) {
    ConfigReader demo = root.object("demoUpstream");
    String host = demo.string("host", DEFAULT_HOST);
    int httpPort = demo.integer("httpPort", 1, 65535, DEFAULT_HTTP_PORT);
    int tcpPort = demo.integer("tcpPort", 1, 65535, DEFAULT_TCP_PORT);
    String node = demo.string("node", hostname);
    if (httpPort == tcpPort) {
      // both backends listen on the same host: the second bind would fail at deploy time
      demo.fail("tcpPort", "must differ from httpPort (both are " + tcpPort + ")");
    }
    demo.rejectUnknownKeys();
    return new DemoUpstreamConfig(host, httpPort, tcpPort, node);
  }
}
