package io.ringway.upstream;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.spi.upstream.UpstreamTlsConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's {@code tls} with its files read (once per config, off the loop), as the options of the HTTP client
 * that cluster gets to itself. Its own client, because Vert.x caches a client's TLS contexts by their key and trust
 * material alone: two clusters with the same CA but another hostname check or ALPN list would share one.
 *
 * @param config the cluster's {@code tls}
 * @param protocol how the router speaks to the cluster ({@code http1} or {@code h2})
 * @param ca the CA bundle's bytes, or null for the JVM's trust store
 * @param cert the client certificate chain's bytes, or null
 * @param key the client key's bytes, or null
 */
public record UpstreamTls(UpstreamTlsConfig config, UpstreamProtocol protocol, Buffer ca, Buffer cert, Buffer key) {

  /** What a handshake may take before the try counts as a connect failure. */
  public static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Reads the files {@code cluster.tls()} names: blocking, call it off the event loop. */
  public static UpstreamTls load(ClusterConfig cluster) {
    UpstreamTlsConfig tls = cluster.tls();
    return new UpstreamTls(tls, cluster.protocol(), read(tls.caFile()), read(tls.certFile()), read(tls.keyFile()));
  }

  /**
   * The client's options: TLS on, the chain checked against the CA, the name against the certificate (unless
   * switched off), SNI sent for a DNS name (never for an IP literal: RFC 6066), the client certificate when there is
   * one, HTTP/2 through ALPN for {@code h2}.
   */
  public HttpClientOptions clientOptions() {
    HttpClientOptions options = secured(new HttpClientOptions()).setKeepAlive(true).setTcpNoDelay(true)
        .setPipelining(false).setVerifyHost(verifiesHost());
    if (protocol == UpstreamProtocol.H2) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2));
    }
    return options;
  }

  /** A TCP client's options for the same checks: the cluster's health probes connect with them. */
  public NetClientOptions netClientOptions() {
    return secured(new NetClientOptions()).setHostnameVerificationAlgorithm(verifiesHost() ? "HTTPS" : "");
  }

  private boolean verifiesHost() {
    return config.verifyHostname() && !config.insecureSkipVerify();
  }

  /** TLS on, with the cluster's trust, client certificate and handshake bound, on either kind of client. */
  private <T extends ClientOptionsBase> T secured(T options) {
    options.setSsl(true);
    options.setTrustAll(config.insecureSkipVerify());
    options.setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    options.setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (ca != null) {
      options.setTrustOptions(new PemTrustOptions().addCertValue(ca));
    }
    if (cert != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key));
    }
    return options;
  }

  /** The name a connection to {@code endpoint} is for: sent as SNI and checked against the certificate. */
  public String serverName(Endpoint endpoint) {
    return config.sni() != null ? config.sni() : endpoint.host();
  }

  private static Buffer read(String file) {
    if (file == null) {
      return null;
    }
    try {
      return Buffer.buffer(Files.readAllBytes(Path.of(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }
}
