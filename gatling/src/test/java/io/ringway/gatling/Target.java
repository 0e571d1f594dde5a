package io.ringway.gatling;

/**
 * Where the simulations send their load: a Ringway they start themselves on the loopback ports of
 * {@code ringway-load.yaml}, or the one named by {@code -Dtarget=http://host:port} (then nothing is started;
 * {@code -DtlsTarget=https://host:port} names its TLS listener for the HTTP/2 scenario). An external target
 * needs the same routes: {@code /}, {@code POST /echo}, {@code /ws} and {@code /bus/...}.
 */
final class Target {

  /** The ports below are the ones {@code ringway-load.yaml} listens on. */
  static final int HTTP_PORT = 18180;
  static final int TLS_PORT = 18443;
  static final int ADMIN_PORT = 18901;
  static final String HOST = "127.0.0.1";

  private static final String EXTERNAL = blankToNull(System.getProperty("target"));
  private static final String EXTERNAL_TLS = blankToNull(System.getProperty("tlsTarget"));

  private Target() {
  }

  /** Whether {@code -Dtarget} names a running proxy, so no Ringway is started. */
  static boolean external() {
    return EXTERNAL != null;
  }

  static String http() {
    return EXTERNAL != null ? withoutSlash(EXTERNAL) : "http://" + HOST + ":" + HTTP_PORT;
  }

  static String https() {
    if (EXTERNAL_TLS != null) {
      return withoutSlash(EXTERNAL_TLS);
    }
    return EXTERNAL != null ? withoutSlash(EXTERNAL) : "https://" + HOST + ":" + TLS_PORT;
  }

  static String ws() {
    return http().replaceFirst("^http", "ws");
  }

  /** What the report says the load went to. */
  static String describe() {
    return external() ? "external target " + http() : "Ringway started on " + http() + " (TLS " + https() + ")";
  }

  private static String withoutSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
