package io.ringway.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away PKI for TLS tests, built with BouncyCastle (bcpkix): one CA and the server and client
 * certificates it signs, written as PEM files (certificate chain, PKCS#8 key, CA bundle) under a directory.
 *
 * <pre>{@code
 * TestPki pki = TestPki.create(tempDir);                    // writes tempDir/ca.pem
 * TestPki.Issued a = pki.server("a", "a.test", "127.0.0.1"); // a.crt (leaf + CA), a.key
 * TestPki.Issued c = pki.client("alice", "CN=alice,O=Test", "alice.test");
 * }</pre>
 *
 * <p>Keys are ECDSA P-256 unless a {@link KeyType} is given. A name that parses as an IP literal becomes an
 * IP-address SAN, one with {@code ://} a URI SAN (SPIFFE ids), one with {@code @} an email SAN, any other a DNS SAN. A second {@code create} with another CA name gives an unrelated CA
 * (for "signed by someone else" cases).
 */
public final class TestPki {

  /** Key algorithm of an issued certificate. */
  public enum KeyType {
    /** ECDSA on NIST P-256, signed SHA256withECDSA. */
    EC_P256,
    /** RSA 2048, signed SHA256withRSA. */
    RSA_2048
  }

  /**
   * One issued certificate and the files holding it.
   *
   * @param certificate the leaf certificate
   * @param privateKey its private key
   * @param certFile PEM chain: the leaf, then the CA certificate
   * @param keyFile PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY})
   */
  public record Issued(X509Certificate certificate, PrivateKey privateKey, Path certFile, Path keyFile) {
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffffL);
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final Duration VALIDITY = Duration.ofDays(2);

  private final Path dir;
  private final X509Certificate caCert;
  private final KeyPair caKeys;
  private final Path caFile;

  private TestPki(Path dir, X509Certificate caCert, KeyPair caKeys, Path caFile) {
    this.dir = dir;
    this.caCert = caCert;
    this.caKeys = caKeys;
    this.caFile = caFile;
  }

  /** A new CA with subject {@code CN=Ringway Test ca} written to {@code dir/ca.pem}. */
  public static TestPki create(Path dir) {
    return create(dir, "ca");
  }

  /** A new CA with subject {@code CN=Ringway Test <name>} written to {@code dir/<name>.pem}. */
  public static TestPki create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      KeyPair keys = generate(KeyType.EC_P256);
      X500Principal subject = new X500Principal("CN=Ringway Test " + name);
      Instant now = Instant.now();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, nextSerial(),
          Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate ca = sign(builder, keys.getPrivate());
      Path caFile = dir.resolve(name + ".pem");
      Files.writeString(caFile, pem(List.of(ca)));
      return new TestPki(dir, ca, keys, caFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test CA under " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make test CA", e);
    }
  }

  /** The CA bundle file (PEM, the CA certificate alone). */
  public Path caFile() {
    return caFile;
  }

  /** The CA certificate. */
  public X509Certificate caCertificate() {
    return caCert;
  }

  /** Trust managers that trust this CA and nothing else. */
  public TrustManager[] trustManagers() throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", caCert);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    return factory.getTrustManagers();
  }

  /** A TLS client context that trusts this CA and presents no certificate. */
  public SSLContext clientContext() throws GeneralSecurityException, IOException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers(), null);
    return context;
  }

  /** A server certificate (EC P-256) for {@code names}, the first also its CN; files {@code <file>.crt/.key}. */
  public Issued server(String file, String... names) {
    return server(file, KeyType.EC_P256, names);
  }

  /** A server certificate with the given key type for {@code names}. */
  public Issued server(String file, KeyType type, String... names) {
    if (names.length == 0) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    return issue(file, type, "CN=" + names[0], names, KeyPurposeId.id_kp_serverAuth,
        Instant.now().minus(BACKDATE), Instant.now().plus(VALIDITY));
  }

  /**
   * A client certificate (EC P-256) with an RFC 2253 {@code subject} such as "CN=alice,O=Test" (read back
   * unchanged by {@code getSubjectX500Principal().getName()}) and SANs.
   */
  public Issued client(String file, String subject, String... sans) {
    return issue(file, KeyType.EC_P256, subject, sans, KeyPurposeId.id_kp_clientAuth,
        Instant.now().minus(BACKDATE), Instant.now().plus(VALIDITY));
  }

  /** A server certificate for {@code names} whose validity ended an hour ago. */
  public Issued expiredServer(String file, String... names) {
    Instant now = Instant.now();
    return issue(file, KeyType.EC_P256, "CN=" + names[0], names, KeyPurposeId.id_kp_serverAuth,
        now.minus(Duration.ofDays(2)), now.minus(BACKDATE));
  }

  private Issued issue(String file, KeyType type, String subject, String[] sans, KeyPurposeId purpose,
      Instant notBefore, Instant notAfter) {
    try {
      KeyPair keys = generate(type);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, nextSerial(),
          Date.from(notBefore), Date.from(notAfter), new X500Principal(subject), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      if (sans.length > 0) {
        builder.addExtension(Extension.subjectAlternativeName, false, generalNames(sans));
      }
      X509Certificate cert = sign(builder, caKeys.getPrivate());
      Path certFile = dir.resolve(file + ".crt");
      Path keyFile = dir.resolve(file + ".key");
      Files.writeString(certFile, pem(List.of(cert, caCert)));
      Files.writeString(keyFile, pkcs8(keys.getPrivate()));
      return new Issued(cert, keys.getPrivate(), certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test certificate " + file + " under " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue test certificate " + file, e);
    }
  }

  private static GeneralNames generalNames(String[] names) {
    List<GeneralName> out = new ArrayList<>();
    for (String name : names) {
      int type = isIpLiteral(name) ? GeneralName.iPAddress
          : name.contains("://") ? GeneralName.uniformResourceIdentifier
          : name.contains("@") ? GeneralName.rfc822Name
          : GeneralName.dNSName;
      out.add(new GeneralName(type, name));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  private static boolean isIpLiteral(String name) {
    if (!name.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false;
    }
    try {
      // The pattern above admits only literals, so this parses and never resolves.
      InetAddress.getByName(name);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static KeyPair generate(KeyType type) throws GeneralSecurityException {
    return switch (type) {
      case EC_P256 -> {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        yield gen.generateKeyPair();
      }
      case RSA_2048 -> {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, RANDOM);
        yield gen.generateKeyPair();
      }
    };
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static BigInteger nextSerial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static String pem(List<X509Certificate> certs) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate cert : certs) {
        writer.writeObject(cert);
      }
    }
    return out.toString();
  }

  // JcaPEMWriter writes a KeyPair/PrivateKey in the legacy per-algorithm form; TLS stacks want PKCS#8.
  private static String pkcs8(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
    }
    return out.toString();
  }
}
