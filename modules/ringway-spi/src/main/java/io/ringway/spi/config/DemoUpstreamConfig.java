package io.ringway.spi.config;

/**
 * The built-in demo backends that make the default config work alone.
 *
 * @param host bind address of both backends
 * @param httpPort HTTP backend: {@code GET /} greets, {@code POST /echo} echoes, {@code /ws} is a WebSocket
 *     echo (default 8081)
 * @param tcpPort raw TCP echo (default 9001)
 * @param node the name the greeting gives
 */
public record DemoUpstreamConfig(String host, int httpPort, int tcpPort, String node) {
}
