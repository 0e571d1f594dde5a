package io.ringway.http;

import io.ringway.spi.config.TlsConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Throw-away TLS material made at test time by the openssl CLI; no key is ever committed. */
final class TestCerts {

  private TestCerts() {
  }

  /** A fresh P-256 key and a self-signed certificate for localhost and 127.0.0.1, in {@code dir}. */
  static TlsConfig selfSigned(Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes());
    if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      throw new IllegalStateException("openssl failed: " + output);
    }
    return new TlsConfig(cert.toString(), key.toString());
  }

  /** Client sockets that trust any certificate: the test listeners' are self-signed and made per run. */
  static javax.net.ssl.SSLSocketFactory trustAll() throws Exception {
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
      }

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
      }

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    return context.getSocketFactory();
  }
}
