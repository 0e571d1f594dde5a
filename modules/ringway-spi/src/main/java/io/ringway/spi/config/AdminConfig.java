package io.ringway.spi.config;

/**
 * The admin API's listener.
 *
 * @param host bind address; loopback unless a token is set
 * @param port TCP port (default 9901)
 * @param token bearer token required on every call when set; {@code null} for none
 */
public record AdminConfig(String host, int port, String token) {
}
