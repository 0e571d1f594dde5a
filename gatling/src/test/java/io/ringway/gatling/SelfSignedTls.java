package io.ringway.gatling;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate for the TLS listener, made with the JDK's own {@code keytool} (no extra
 * library) and written as the PEM pair the router loads: {@code cert.pem} and an unencrypted PKCS#8
 * {@code key.pem}. Gatling trusts any certificate by default; the warm-up client trusts this one.
 */
final class SelfSignedTls {

  private static final String ALIAS = "ringway-load";
  private static final char[] PASSWORD = "ringway-load".toCharArray();

  final Path certFile;
  final Path keyFile;
  final X509Certificate certificate;

  private SelfSignedTls(Path certFile, Path keyFile, X509Certificate certificate) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.certificate = certificate;
  }

  /** Makes a fresh P-256 key and certificate for 127.0.0.1 and localhost in {@code dir}. */
  static SelfSignedTls create(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
    Files.createDirectories(dir);
    Path store = dir.resolve("ringway-load.p12");
    Files.deleteIfExists(store);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
        "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7",
        "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool could not make the test certificate: " + output.strip());
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD);
    }
    PrivateKey key = (PrivateKey) keyStore.getKey(ALIAS, PASSWORD);
    X509Certificate certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
    // PKCS#8 is what Key.getEncoded() gives for a private key, and one of the forms the router reads.
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new SelfSignedTls(certFile, keyFile, certificate);
  }

  /** A client context that trusts this certificate alone. */
  SSLContext clientContext() throws GeneralSecurityException, IOException {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry(ALIAS, certificate);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
