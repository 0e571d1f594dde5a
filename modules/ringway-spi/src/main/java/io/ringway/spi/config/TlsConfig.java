package io.ringway.spi.config;

import java.util.Objects;

/**
 * TLS termination on a listener, from PEM files. The listener then offers h2 and http/1.1 through ALPN.
 *
 * @param certFile PEM file with the certificate chain, leaf first
 * @param keyFile PEM file with the private key (PKCS#8, PKCS#1 RSA or SEC1 EC), unencrypted
 */
public record TlsConfig(String certFile, String keyFile) {

  public TlsConfig {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
  }
}
