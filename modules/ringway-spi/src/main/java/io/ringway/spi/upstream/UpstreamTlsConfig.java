package io.ringway.spi.upstream;

/**
 * TLS from the router to a cluster's endpoints ({@code clusters[].tls}). Verification is on unless switched off by
 * name: the endpoint's certificate must chain to {@code caFile} (or the JVM's trust store without one) and name the
 * host the connection is for.
 *
 * @param caFile PEM bundle of the CAs the endpoints' certificates must chain to, or null for the JVM's trust store
 * @param sni the server name sent in the ClientHello and checked against the certificate, or null for the
 *     endpoint's own host
 * @param verifyHostname whether the certificate must name that host (default true)
 * @param certFile PEM chain of the client certificate the router presents, or null for none
 * @param keyFile PEM key of {@code certFile}; given exactly when it is
 * @param insecureSkipVerify accept any certificate (tests and migrations only; logged as a warning at load)
 */
public record UpstreamTlsConfig(String caFile, String sni, boolean verifyHostname, String certFile, String keyFile,
                                boolean insecureSkipVerify) {

  public UpstreamTlsConfig {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("certFile and keyFile come together");
    }
  }

  /** Verification against the JVM's trust store, the endpoint's host as SNI, no client certificate. */
  public static UpstreamTlsConfig defaults() {
    return new UpstreamTlsConfig(null, null, true, null, null, false);
  }
}
