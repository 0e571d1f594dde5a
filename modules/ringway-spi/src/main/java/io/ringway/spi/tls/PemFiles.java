package io.ringway.spi.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * PEM certificates and keys read the way Vert.x loads them, with errors that say which file is wrong and how.
 * Blocking: call off the event loop. The config reader validates with it and the listeners load with it, so
 * what passed validation is what gets served.
 */
public final class PemFiles {

  /** A file that cannot be used; {@code key} names the config key holding it ({@code certFile}, {@code keyFile}, ..). */
  public static final class BadFile extends Exception {

    private final String key;

    public BadFile(String key, String message) {
      super(message);
      this.key = key;
    }

    /** The config key whose file is at fault. */
    public String key() {
      return key;
    }
  }

  /**
   * A certificate chain and its key.
   *
   * @param chain leaf first
   * @param key the leaf's private key
   * @param names the DNS names the leaf is for: its SAN DNS entries, or its CN when it has none; lower case
   */
  public record KeyPairChain(List<X509Certificate> chain, PrivateKey key, List<String> names) {
  }

  private PemFiles() {
  }

  /** The chain in {@code certFile} and the key in {@code keyFile}, checked to belong together. */
  public static KeyPairChain keyPair(String certFile, String keyFile) throws BadFile {
    byte[] cert = bytes("certFile", certFile);
    byte[] key = bytes("keyFile", keyFile);
    List<X509Certificate> chain = certificates("certFile", certFile, cert);
    PrivateKey privateKey;
    try {
      KeyStore store = new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key))
          .loadKeyStore(null);
      String alias = store.aliases().nextElement();
      privateKey = (PrivateKey) store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
    } catch (Exception e) {
      throw new BadFile("keyFile", keyFile + " is not a PEM private key: " + e.getMessage());
    }
    if (!matches(privateKey, chain.getFirst().getPublicKey())) {
      throw new BadFile("keyFile", keyFile + " is not the private key of the first certificate in " + certFile);
    }
    return new KeyPairChain(chain, privateKey, names(chain.getFirst()));
  }

  /** The certificates of a CA bundle; at least one. */
  public static List<X509Certificate> bundle(String configKey, String file) throws BadFile {
    return certificates(configKey, file, bytes(configKey, file));
  }

  private static List<X509Certificate> certificates(String configKey, String file, byte[] pem) throws BadFile {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        chain.add((X509Certificate) certificate);
      }
    } catch (GeneralSecurityException e) {
      throw new BadFile(configKey, file + " is not a PEM certificate: " + e.getMessage());
    }
    if (chain.isEmpty() || !new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new BadFile(configKey, file + " holds no PEM certificate");
    }
    return chain;
  }

  /** The DNS names a server certificate is for: its SAN DNS entries, else its CN. */
  public static List<String> names(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      var sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() == 2 && san.get(0) instanceof Integer type && type == 2) {
            names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
          }
        }
      }
      if (names.isEmpty()) {
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            names.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (GeneralSecurityException | InvalidNameException e) {
      // An unparsable name extension leaves the certificate nameless: it can still be the default.
    }
    return names;
  }

  /** The file's bytes, or why it cannot be read. */
  public static byte[] bytes(String configKey, String file) throws BadFile {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new BadFile(configKey, "cannot read " + file + ": " + switch (e) {
        case java.nio.file.NoSuchFileException missing -> "no such file or directory";
        case java.nio.file.AccessDeniedException denied -> "permission denied";
        default -> e.getMessage();
      });
    }
  }

  /** Whether a signature made with the key verifies with the certificate's public key. */
  private static boolean matches(PrivateKey key, PublicKey certificateKey) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
    byte[] probe = "ringway".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
