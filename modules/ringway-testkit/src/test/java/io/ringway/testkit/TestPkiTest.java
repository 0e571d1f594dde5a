package io.ringway.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

  @TempDir
  Path dir;

  @Test
  void serverChainIsSignedByTheCaAndCarriesItsNames() throws Exception {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued a = pki.server("a", "a.test", "127.0.0.1");

    List<X509Certificate> chain = readChain(a.certFile());
    assertThat(chain).hasSize(2);
    chain.get(0).verify(pki.caCertificate().getPublicKey());
    assertThat(chain.get(1)).isEqualTo(readChain(pki.caFile()).get(0));
    assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=a.test");
    assertThat(chain.get(0).getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "a.test"), List.of(7, "127.0.0.1"));
    assertThat(chain.get(0).getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertKeyMatches(a);
  }

  @Test
  void clientAndRsaAndForeignAndExpired() throws Exception {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued alice = pki.client("alice", "CN=alice,O=Test", "alice.test", "spiffe://test/alice", "a@test");
    assertThat(alice.certificate().getSubjectAlternativeNames()).containsExactly(
        List.of(2, "alice.test"), List.of(6, "spiffe://test/alice"), List.of(1, "a@test"));
    assertThat(alice.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=alice,O=Test");
    assertThat(alice.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");

    TestPki.Issued rsa = pki.server("rsa", TestPki.KeyType.RSA_2048, "rsa.test");
    assertThat(rsa.certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertKeyMatches(rsa);

    TestPki other = TestPki.create(dir, "other-ca");
    assertThat(other.caFile()).isNotEqualTo(pki.caFile());
    TestPki.Issued foreign = other.server("foreign", "a.test");
    assertThatThrownBy(() -> foreign.certificate().verify(pki.caCertificate().getPublicKey()))
        .isInstanceOf(java.security.SignatureException.class);

    TestPki.Issued old = pki.expiredServer("old", "old.test");
    assertThatThrownBy(() -> old.certificate().checkValidity()).isInstanceOf(CertificateExpiredException.class);
  }

  private static void assertKeyMatches(TestPki.Issued issued) throws Exception {
    String pem = Files.readString(issued.keyFile());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    String alg = issued.certificate().getPublicKey().getAlgorithm();
    var key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    String sigAlg = "EC".equals(alg) ? "SHA256withECDSA" : "SHA256withRSA";
    Signature sign = Signature.getInstance(sigAlg);
    sign.initSign(key);
    sign.update(new byte[] {1, 2, 3});
    byte[] sig = sign.sign();
    Signature verify = Signature.getInstance(sigAlg);
    verify.initVerify(issued.certificate());
    verify.update(new byte[] {1, 2, 3});
    assertThat(verify.verify(sig)).isTrue();
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> readChain(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (List<X509Certificate>) CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }
}
