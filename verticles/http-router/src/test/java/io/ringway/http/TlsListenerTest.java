package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.tls.PemFiles;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.ringway.testkit.TestPki;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS listeners on real sockets with certificates made by {@link TestPki}: certificates chosen by SNI, client
 * certificates under require/request/none and the identity header they give the upstream, TLS versions, reload
 * of changed files, and the engine in force. BoringSSL here; {@link TlsListenerJdkTest} runs it on the JDK's.
 */
class TlsListenerTest {

  @TempDir
  Path dir;
  private TestPki pki;
  private TestPki.Issued a;
  private TestPki.Issued b;
  private RouterFixture fixture;
  private Backend backend;

  TlsConfig.Engine engine() {
    return TlsConfig.Engine.OPENSSL;
  }

  @BeforeEach
  void certificates() {
    pki = TestPki.create(dir);
    a = pki.server("a", "a.test", "127.0.0.1");
    b = pki.server("b", "b.test", "*.wild.test");
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private void start(TlsConfig tls) throws Exception {
    startListener(RouterFixture.listener(Ports.freeTcpPort()).withTls(tls == null ? null : tls.withEngine(engine())));
  }

  private void startListener(HttpListenerConfig listener) throws Exception {
    fixture = RouterFixture.ioUring();
    backend = new Backend(fixture.vertx, "b");
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }

  private TlsConfig twoCertificates() {
    return new TlsConfig(List.of(new TlsConfig.CertificateFiles(a.certFile().toString(), a.keyFile().toString()),
        new TlsConfig.CertificateFiles(b.certFile().toString(), b.keyFile().toString())));
  }

  @Test
  void sniPicksTheCertificateAndTheFirstServesEveryOtherClient() throws Exception {
    start(twoCertificates());

    assertThat(servedName("a.test")).isEqualTo("CN=a.test");
    assertThat(servedName("b.test")).isEqualTo("CN=b.test");
    assertThat(servedName("x.wild.test")).isEqualTo("CN=b.test");
    assertThat(servedName("other.test")).isEqualTo("CN=a.test");
    assertThat(servedName(null)).isEqualTo("CN=a.test");
    assertThat(get(client(null), "b.test", "/", null)).startsWith("HTTP/1.1 200").endsWith("b");
    assertThat(tlsStats().getBoolean("sni")).isTrue();
  }

  @Test
  void requireRefusesAClientWithoutACertificateAndPassesTheVerifiedOneUpstream() throws Exception {
    start(twoCertificates().withClientAuth(TlsConfig.ClientAuth.REQUIRE, pki.caFile().toString()));
    TestPki.Issued alice = pki.client("alice", "CN=alice,O=Test", "alice.test", "spiffe://test/alice");
    TestPki.Issued mallory = TestPki.create(dir.resolve("other"), "other-ca").client("mallory", "CN=mallory");

    JsonObject seen = new JsonObject(body(get(client(alice), "a.test", "/headers", "forged")));
    String identity = seen.getString("x-forwarded-client-cert");
    assertThat(identity).startsWith("Hash=").contains(";Subject=\"CN=alice,O=Test\"").contains(";DNS=alice.test")
        .contains(";URI=spiffe://test/alice").doesNotContain("forged");

    assertThat(get(client(null), "a.test", "/headers", null)).startsWith("failed");
    assertThat(get(client(mallory), "a.test", "/headers", null)).startsWith("failed");
    Eventually.await("both refusals counted", Duration.ofSeconds(5),
        () -> tlsStats().getLong("clientCertFailures") >= 2);
    assertThat(tlsStats().getLong("handshakesFailed")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void http2CarriesTheVerifiedIdentityAndDropsAForgedOne() throws Exception {
    start(twoCertificates().withClientAuth(TlsConfig.ClientAuth.REQUIRE, pki.caFile().toString()));
    TestPki.Issued alice = pki.client("alice", "CN=alice,O=Test", "alice.test");

    Process curl = new ProcessBuilder("curl", "-sS", "--http2", "--max-time", "10", "--cacert", pki.caFile().toString(),
        "--cert", alice.certFile().toString(), "--key", alice.keyFile().toString(),
        "--resolve", "a.test:" + fixture.port + ":" + RouterFixture.HOST, "-H", "x-forwarded-client-cert: Hash=forged",
        "-w", "\n%{http_version}", "https://a.test:" + fixture.port + "/headers").redirectErrorStream(true).start();
    String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(output).endsWith("\n2");
    JsonObject seen = new JsonObject(output.substring(0, output.lastIndexOf('\n')));
    assertThat(seen.getString("x-forwarded-client-cert")).contains("Subject=\"CN=alice,O=Test\"")
        .doesNotContain("forged");
  }

  @Test
  void aConfigReloadLooksAtTheFilesEvenWithTheWatchOff() throws Exception {
    TlsConfig tls = twoCertificates().withReloadInterval(Duration.ZERO).withEngine(engine());
    HttpListenerConfig listener = RouterFixture.listener(Ports.freeTcpPort()).withTls(tls);
    startListener(listener);
    TestPki.Issued next = pki.server("next", "a.test", "127.0.0.1");
    Files.copy(next.certFile(), a.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.keyFile(), a.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(300);
    assertThat(servedSerial()).as("no watch: the old certificate").isNotEqualTo(next.certificate().getSerialNumber().toString());

    fixture.publish(listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
    Eventually.await("the reload served the new certificate", Duration.ofSeconds(10),
        () -> servedSerial().equals(next.certificate().getSerialNumber().toString()));
  }

  @Test
  void requestLetsAClientWithoutACertificateInAndStripsWhatItForged() throws Exception {
    start(twoCertificates().withClientAuth(TlsConfig.ClientAuth.REQUEST, pki.caFile().toString()));
    TestPki.Issued alice = pki.client("alice", "CN=alice,O=Test");

    JsonObject anonymous = new JsonObject(body(get(client(null), "a.test", "/headers", "Hash=forged")));
    assertThat(anonymous.containsKey("x-forwarded-client-cert")).isFalse();
    JsonObject verified = new JsonObject(body(get(client(alice), "a.test", "/headers", "Hash=forged")));
    assertThat(verified.getString("x-forwarded-client-cert")).contains("Subject=\"CN=alice,O=Test\"");
    TestPki.Issued mallory = TestPki.create(dir.resolve("other"), "other-ca").client("mallory", "CN=mallory");
    assertThat(get(client(mallory), "a.test", "/headers", null)).startsWith("failed");
  }

  @Test
  void noneAsksForNoCertificateAndStillStripsTheHeader() throws Exception {
    start(twoCertificates());
    TestPki.Issued alice = pki.client("alice", "CN=alice,O=Test");

    JsonObject seen = new JsonObject(body(get(client(alice), "a.test", "/headers", "Hash=forged")));
    assertThat(seen.containsKey("x-forwarded-client-cert")).isFalse();
  }

  @Test
  void aCleartextListenerStripsTheHeaderToo() throws Exception {
    startListener(RouterFixture.listener(Ports.freeTcpPort()));
    String response = RawHttp.exchange(fixture.port, "GET /headers HTTP/1.1\r\nHost: h\r\n"
        + "X-Forwarded-Client-Cert: Hash=forged\r\nConnection: close\r\n\r\n");
    assertThat(new JsonObject(body(response)).containsKey("x-forwarded-client-cert")).isFalse();
  }

  @Test
  void onlyTls12And13AreOffered() throws Exception {
    start(twoCertificates());
    assertThat(opensslClient("-tls1_2")).contains("Protocol  : TLSv1.2").contains("Server certificate")
        .doesNotContain("Cipher is (NONE)");
    assertThat(opensslClient("-tls1_3")).contains("TLSv1.3");
    // s_client prints the version it tried even when the handshake failed: the cipher and the certificate say.
    assertThat(opensslClient("-tls1_1")).contains("Cipher is (NONE)").doesNotContain("Server certificate");
    // A TLS 1.2 client offering only CBC suites finds none of the default list.
    assertThat(opensslClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA")).contains("Cipher is (NONE)");
  }

  @Test
  void changedFilesAreServedToNewConnectionsAndABrokenOneKeepsTheOld() throws Exception {
    start(twoCertificates().withReloadInterval(Duration.ofMillis(200)));
    String first = servedSerial();

    TestPki.Issued next = pki.server("next", "a.test", "127.0.0.1");
    // The chain, then the key: a check between the two sees a pair that does not fit and refuses it.
    Files.copy(next.certFile(), a.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.keyFile(), a.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Eventually.await("the new certificate is served", Duration.ofSeconds(10),
        () -> servedSerial().equals(next.certificate().getSerialNumber().toString()));
    assertThat(first).isNotEqualTo(servedSerial());
    assertThat(tlsStats().getLong("reloads")).isPositive();

    long failuresBefore = tlsStats().getLong("reloadFailures");
    Files.writeString(a.certFile(), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    Eventually.await("the broken file is refused", Duration.ofSeconds(10),
        () -> tlsStats().getLong("reloadFailures") > failuresBefore);
    assertThat(servedSerial()).isEqualTo(next.certificate().getSerialNumber().toString());
    assertThat(get(client(null), "a.test", "/", null)).startsWith("HTTP/1.1 200");
  }

  @Test
  void theEngineInForceIsReported() throws Exception {
    if (System.getenv("CI") != null) {
      assertThat(OpenSsl.isAvailable()).as("BoringSSL (netty-tcnative) loads here: %s",
          OpenSsl.unavailabilityCause()).isTrue();
    }
    start(twoCertificates());
    assertThat(tlsStats().getString("engine")).isEqualTo(engine() == TlsConfig.Engine.JDK ? "jdk" : "openssl");
  }

  @Test
  void sessionsResume() throws Exception {
    start(twoCertificates());
    Path session = dir.resolve("session.pem");
    String firstRun = opensslClient("-tls1_3", "-sess_out", session.toString());
    assertThat(firstRun).contains("TLSv1.3");
    assertThat(opensslClient("-tls1_3", "-sess_in", session.toString())).contains("Reused, TLSv1.3");
    // A session made for one certificate does not resume under another SNI name's.
    String elsewhere = opensslClient("-tls1_3", "-sess_in", session.toString(), "-servername", "b.test");
    assertThat(elsewhere).contains("New, TLSv1.3").contains("subject=CN = b.test");
  }

  private JsonObject tlsStats() {
    return fixture.listenerStats().getJsonObject("tls");
  }

  /** A client trusting the test CA, presenting {@code certificate} when asked (null: none). */
  private SSLContext client(TestPki.Issued certificate) throws Exception {
    KeyManagerFactory keyFactory = null;
    if (certificate != null) {
      PemFiles.KeyPairChain pair = PemFiles.keyPair(certificate.certFile().toString(), certificate.keyFile().toString());
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", pair.key(), "x".toCharArray(), pair.chain().toArray(X509Certificate[]::new));
      keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyFactory.init(keys, "x".toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyFactory == null ? null : new javax.net.ssl.KeyManager[] {presentAnyway(keyFactory)},
        pki.trustManagers(), null);
    return context;
  }

  /**
   * The JDK's client sends a certificate only when its issuer is among the CAs the server names; a client signed by
   * another CA would then send none. This one always sends it, so the server's own verification is what is tested.
   */
  private static javax.net.ssl.X509ExtendedKeyManager presentAnyway(KeyManagerFactory factory) {
    javax.net.ssl.X509ExtendedKeyManager keys = (javax.net.ssl.X509ExtendedKeyManager) factory.getKeyManagers()[0];
    return new javax.net.ssl.X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
        return keys.getClientAliases(keyType, null);
      }

      @Override
      public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
        return keys.chooseClientAlias(keyType, null, socket);
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                            javax.net.ssl.SSLEngine engine) {
        return keys.chooseEngineClientAlias(keyType, null, engine);
      }

      @Override
      public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return keys.getCertificateChain(alias);
      }

      @Override
      public java.security.PrivateKey getPrivateKey(String alias) {
        return keys.getPrivateKey(alias);
      }
    };
  }

  private SSLSocket connect(SSLContext client, String sni) throws Exception {
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(RouterFixture.HOST, fixture.port);
    socket.setSoTimeout(5000);
    SSLParameters parameters = socket.getSSLParameters();
    // Names are checked here by serial and subject, not by the JDK's hostname rules (the host is an IP).
    parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    socket.setSSLParameters(parameters);
    return socket;
  }

  private String servedName(String sni) throws Exception {
    // A fresh client each time: the JDK's resumes a session by host and port alone, the SNI name of the session
    // it resumes included.
    try (SSLSocket socket = connect(client(null), sni)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }

  private String servedSerial() {
    // A fresh context each time: no resumed session can answer for the certificate.
    try (SSLSocket socket = connect(client(null), "a.test")) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString();
    } catch (Exception e) {
      return "unreachable: " + e;
    }
  }

  /** One HTTP/1.1 request over TLS; the response, or "failed: ..." when the handshake or the exchange fails. */
  private String get(SSLContext client, String sni, String path, String forgedIdentity) {
    try (SSLSocket socket = connect(client, sni)) {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\n"
          + (forgedIdentity == null ? "" : "x-forwarded-client-cert: " + forgedIdentity + "\r\n")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String response = RawHttp.readUntilClose(in);
      return response.isEmpty() ? "failed: closed without a response" : response;
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** {@code openssl s_client} against the listener with these options; its whole output. */
  private String opensslClient(String... options) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
        RouterFixture.HOST + ":" + fixture.port, "-CAfile", pki.caFile().toString()));
    command.addAll(List.of(options));
    if (!command.contains("-servername")) {
      command.addAll(List.of("-servername", "a.test"));
    }
    if (command.contains("-tls1_1")) {
      // OpenSSL 3 refuses TLS 1.1 itself at its default security level; level 0 lets it ask.
      command.addAll(List.of("-cipher", "DEFAULT@SECLEVEL=0"));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    // A request, then EOF after a pause: s_client reads the session ticket that TLS 1.3 sends after the handshake.
    process.getOutputStream().write("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    process.getOutputStream().flush();
    Thread.sleep(300);
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(15, TimeUnit.SECONDS)).isTrue();
    return output;
  }
}
