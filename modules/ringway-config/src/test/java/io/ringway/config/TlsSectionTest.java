package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.config.TlsConfig.CertificateFiles;
import io.ringway.testkit.TestPki;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.listeners[].tls}: several certificates, client certificates, protocols, ciphers, engine, reload. */
class TlsSectionTest {

  private final ConfigLoader loader = TestCatalogs.loader();

  @TempDir
  Path dir;

  @Test
  void readsEveryField() {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued a = pki.server("a", "a.test");
    TestPki.Issued b = pki.server("b", "b.test", "*.b.test");
    ConfigResult result = loader.parse(new JsonObject("""
        {"http": {"clientCertHeader": "X-Client-Cert",
          "listeners": [{"name": "secure", "port": 8443, "tls": {
            "certificates": [{"certFile": "%s", "keyFile": "%s"}, {"certFile": "%s", "keyFile": "%s"}],
            "clientAuth": "require", "clientCaFile": "%s", "protocols": ["TLSv1.3"],
            "ciphers": ["TLS_AES_256_GCM_SHA384"], "engine": "jdk", "reloadInterval": "0s"}}]}}
        """.formatted(a.certFile(), a.keyFile(), b.certFile(), b.keyFile(), pki.caFile())));

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().http().clientCertHeader()).isEqualTo("x-client-cert");
    assertThat(result.config().http().listeners().get(0).tls()).isEqualTo(new TlsConfig(
        List.of(new CertificateFiles(a.certFile().toString(), a.keyFile().toString()),
            new CertificateFiles(b.certFile().toString(), b.keyFile().toString())),
        TlsConfig.ClientAuth.REQUIRE, pki.caFile().toString(), List.of("TLSv1.3"), List.of("TLS_AES_256_GCM_SHA384"),
        TlsConfig.Engine.JDK, Duration.ZERO));
  }

  @Test
  void defaultsAreModern() {
    TestPki.Issued a = TestPki.create(dir).server("a", "a.test");
    TlsConfig tls = loader.parse(new JsonObject("""
        {"http": {"listeners": [{"name": "secure", "port": 8443, "tls": {"certFile": "%s", "keyFile": "%s"}}]}}
        """.formatted(a.certFile(), a.keyFile()))).config().http().listeners().get(0).tls();

    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.ciphers()).allMatch(c -> c.startsWith("TLS_AES") || c.startsWith("TLS_CHACHA20")
        || c.startsWith("TLS_ECDHE_"));
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
    assertThat(tls.engine()).isEqualTo(TlsConfig.Engine.AUTO);
    assertThat(tls.reloadInterval()).isEqualTo(TlsConfig.DEFAULT_RELOAD_INTERVAL);
    assertThat(loader.parse(new JsonObject("{}")).config().http().clientCertHeader())
        .isEqualTo(HttpRouterConfig.DEFAULT_CLIENT_CERT_HEADER);
  }

  @Test
  void errorsSayWhereAndWhat() {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued a = pki.server("a", "a.test", "shared.test");
    TestPki.Issued b = pki.server("b", "b.test", "shared.test");
    List<String> errors = errors("""
        {"http": {"clientCertHeader": "bad header", "listeners": [
          {"name": "l0", "port": 1, "tls": {"certificates": [{"certFile": "%s", "keyFile": "%s"},
                                                             {"certFile": "%s", "keyFile": "%s"}]}},
          {"name": "l1", "port": 2, "tls": {"certificates": [{"certFile": "%s", "keyFile": "%s"},
                                                             {"certFile": "/gone.pem", "keyFile": "%s"}]}},
          {"name": "l2", "port": 3, "tls": {"certFile": "%s", "keyFile": "%s", "clientAuth": "require"}},
          {"name": "l3", "port": 4, "tls": {"certFile": "%s", "keyFile": "%s", "clientAuth": "maybe",
                                             "protocols": ["TLSv1.1"], "ciphers": ["RC4"], "engine": "gnutls"}},
          {"name": "l4", "port": 5, "tls": {"certFile": "%s", "keyFile": "%s", "certificates": []}},
          {"name": "l5", "port": 6, "tls": {"certFile": "%s", "keyFile": "%s", "clientAuth": "request",
                                             "clientCaFile": "/no-ca.pem"}}]}}
        """.formatted(a.certFile(), a.keyFile(), b.certFile(), b.keyFile(),
        a.certFile(), a.keyFile(), b.keyFile(),
        a.certFile(), a.keyFile(),
        a.certFile(), a.keyFile(),
        a.certFile(), a.keyFile(),
        a.certFile(), a.keyFile()));

    assertThat(errors).containsExactlyInAnyOrder(
        "http.listeners[0].tls.certificates[1].certFile: " + b.certFile() + " is for shared.test, which "
            + "http.listeners[0].tls.certificates[0].certFile already serves",
        "http.listeners[1].tls.certificates[1].certFile: cannot read /gone.pem: no such file or directory",
        "http.listeners[2].tls.clientCaFile: required when clientAuth is require",
        "http.listeners[3].tls.clientAuth: expected one of none, request, require, got \"maybe\"",
        "http.listeners[3].tls.protocols[0]: expected TLSv1.3 or TLSv1.2 (older versions are not offered), got \"TLSv1.1\"",
        "http.listeners[3].tls.ciphers[0]: unknown cipher suite \"RC4\" (IANA names, such as TLS_AES_128_GCM_SHA256)",
        "http.listeners[3].tls.engine: expected one of auto, openssl, jdk, got \"gnutls\"",
        "http.listeners[4].tls.certificates: give either certificates or certFile/keyFile, not both",
        "http.listeners[5].tls.clientCaFile: cannot read /no-ca.pem: no such file or directory",
        "http.clientCertHeader: expected a header name (an RFC 9110 token), got \"bad header\"");
  }

  private List<String> errors(String json) {
    return loader.parse(new JsonObject(json)).errors().stream().map(ConfigError::toString).toList();
  }
}
