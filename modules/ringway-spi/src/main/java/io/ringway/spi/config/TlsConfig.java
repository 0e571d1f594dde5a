package io.ringway.spi.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * TLS termination on a listener, from PEM files. The listener then offers h2 and http/1.1 through ALPN.
 *
 * @param certificates the listener's certificates; a client's SNI name picks the one whose SAN (or CN) names it
 *     ({@code *.example.com} covers one label), the first serves every other client (at least one)
 * @param clientAuth whether clients are asked for a certificate (default {@link ClientAuth#NONE})
 * @param clientCaFile PEM bundle of the CAs a client certificate must chain to; required unless {@code clientAuth}
 *     is none
 * @param protocols TLS versions offered, a subset of TLSv1.2 and TLSv1.3 (default both)
 * @param ciphers cipher suites offered, IANA names, in order of preference (default {@link #DEFAULT_CIPHERS})
 * @param engine which TLS implementation runs the handshakes (default {@link Engine#AUTO})
 * @param reloadInterval how often the files' modification times are checked for a change, which reloads them
 *     without a restart; zero for never (default 5 s)
 */
public record TlsConfig(List<CertificateFiles> certificates, ClientAuth clientAuth, String clientCaFile,
                        List<String> protocols, List<String> ciphers, Engine engine, Duration reloadInterval) {

  /** One certificate: its chain and its key. */
  public record CertificateFiles(String certFile, String keyFile) {

    /**
     * @param certFile PEM file with the certificate chain, leaf first
     * @param keyFile PEM file with the private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted
     */
    public CertificateFiles {
      Objects.requireNonNull(certFile, "certFile");
      Objects.requireNonNull(keyFile, "keyFile");
    }
  }

  /** Client certificate verification, as in {@code clientAuth: require | request | none}. */
  public enum ClientAuth {
    /** No certificate is asked for. */
    NONE,
    /** A certificate is asked for; a client without one is let in, one with an unverifiable one is not. */
    REQUEST,
    /** A client without a certificate that verifies against {@code clientCaFile} fails the handshake. */
    REQUIRE
  }

  /** The TLS implementation, as in {@code engine: auto | openssl | jdk}. */
  public enum Engine {
    /** BoringSSL (netty-tcnative) where it loads, else the JDK's. */
    AUTO,
    /** BoringSSL through netty-tcnative; the listener fails if it does not load. */
    OPENSSL,
    /** The JDK's SSLEngine. */
    JDK
  }

  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  /** TLS versions a listener may offer. */
  public static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  /**
   * AEAD suites with forward secrecy only (Mozilla's "intermediate" list): the TLS 1.3 ones, then ECDHE with
   * AES-GCM or ChaCha20-Poly1305 for TLS 1.2.
   */
  public static final List<String> DEFAULT_CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

  public TlsConfig {
    certificates = List.copyOf(certificates);
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("certificates: at least one is required");
    }
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (clientAuth != ClientAuth.NONE) {
      Objects.requireNonNull(clientCaFile, "clientCaFile");
    }
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
  }

  /** One certificate, no client certificates, every other setting at its default. */
  public TlsConfig(String certFile, String keyFile) {
    this(List.of(new CertificateFiles(certFile, keyFile)));
  }

  /** These certificates, no client certificates, every other setting at its default. */
  public TlsConfig(List<CertificateFiles> certificates) {
    this(certificates, ClientAuth.NONE, null, DEFAULT_PROTOCOLS, DEFAULT_CIPHERS, Engine.AUTO,
        DEFAULT_RELOAD_INTERVAL);
  }

  /** The default certificate's chain file. */
  public String certFile() {
    return certificates.getFirst().certFile();
  }

  /** The default certificate's key file. */
  public String keyFile() {
    return certificates.getFirst().keyFile();
  }

  /** This config asking clients for certificates verified against {@code caFile}. */
  public TlsConfig withClientAuth(ClientAuth auth, String caFile) {
    return new TlsConfig(certificates, auth, caFile, protocols, ciphers, engine, reloadInterval);
  }

  /** This config on another engine. */
  public TlsConfig withEngine(Engine other) {
    return new TlsConfig(certificates, clientAuth, clientCaFile, protocols, ciphers, other, reloadInterval);
  }

  /** This config checking its files every {@code interval} (zero: never). */
  public TlsConfig withReloadInterval(Duration interval) {
    return new TlsConfig(certificates, clientAuth, clientCaFile, protocols, ciphers, engine, interval);
  }

  /** Every file this config reads: each chain and key, then the client CA bundle if any. */
  public List<String> files() {
    var files = new java.util.ArrayList<String>();
    certificates.forEach(c -> {
      files.add(c.certFile());
      files.add(c.keyFile());
    });
    if (clientCaFile != null) {
      files.add(clientCaFile);
    }
    return files;
  }
}
