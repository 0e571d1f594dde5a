package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination from PEM files: h2 and HTTP/1.1 chosen by ALPN, with curl and with Vert.x, on io_uring. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

  @TempDir
  static Path dir;
  private RouterFixture fixture;
  private HttpListenerConfig listener;
  private List<ClusterConfig> clusters;
  private List<RouteConfig> routes;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    Backend backend = new Backend(fixture.vertx, "b");
    listener = RouterFixture.listener(Ports.freeTcpPort()).withTls(TestCerts.selfSigned(dir));
    clusters = List.of(ClusterConfig.of("b", List.of(backend.endpoint())));
    routes = List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b")));
    fixture.start(2, listener, clusters, routes);
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void curlGetsH2ThroughAlpnAndHttp11WhenItAsks() throws Exception {
    assertThat(curl("--http2", "/")).isEqualTo("2 200 b");
    assertThat(curl("--http1.1", "/")).isEqualTo("1.1 200 b");
  }

  @Test
  void vertxClientNegotiatesH2() throws Exception {
    HttpClient h2 = fixture.vertx.createHttpClient(tlsClient().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
    Reply headers = send(h2, HttpMethod.GET, "/headers", null);
    assertThat(headers.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(headers.status()).isEqualTo(200);
    JsonObject seen = new JsonObject(headers.text());
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.getString("via")).isEqualTo("2 ringway");
    Reply echo = send(h2, HttpMethod.POST, "/echo", Buffer.buffer("over h2 and tls"));
    assertThat(echo.text()).isEqualTo("over h2 and tls");
  }

  @Test
  void vertxClientWithoutAlpnSpeaksHttp11() throws Exception {
    HttpClient http11 = fixture.vertx.createHttpClient(tlsClient());
    Reply echo = send(http11, HttpMethod.POST, "/echo", Buffer.buffer("over 1.1 and tls"));
    assertThat(echo.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(echo.text()).isEqualTo("over 1.1 and tls");
  }

  @Test
  void aReloadWithUnreadableTlsFilesKeepsTheRunningListener() throws Exception {
    long before = fixture.stats().getLong("configVersion");
    fixture.publish(listener.withTls(new TlsConfig(dir.resolve("gone.pem").toString(), listener.tls().keyFile())),
        clusters, routes);
    Eventually.await("the reload was applied", java.time.Duration.ofSeconds(5),
        () -> statsVersion() > before);
    // The refused listener's files are read on a worker; give that a moment to fail before asking.
    Thread.sleep(200);
    assertThat(curl("--http2", "/")).isEqualTo("2 200 b");
  }

  @Test
  void aReloadRotatesTheCertificate() throws Exception {
    String before = servedCertificate();
    TlsConfig next = TestCerts.selfSigned(Files.createDirectories(dir.resolve("next")));
    fixture.publish(listener.withTls(next), clusters, routes);
    Eventually.await("the new certificate is served", java.time.Duration.ofSeconds(5),
        () -> !servedCertificate().equals(before));
    assertThat(curl("--http2", "/")).isEqualTo("2 200 b");
  }

  @Test
  void tlsCannotBeTurnedOffOnARunningListener() throws Exception {
    fixture.publish(RouterFixture.listener(fixture.port), clusters, routes);
    Thread.sleep(200);
    assertThat(curl("--http2", "/")).isEqualTo("2 200 b");
  }

  @Test
  void framingStrictnessHoldsBehindTls() throws Exception {
    try (javax.net.ssl.SSLSocket socket =
             (javax.net.ssl.SSLSocket) TestCerts.trustAll().createSocket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertThat(RawHttp.readUntilClose(socket.getInputStream())).startsWith("HTTP/1.1 400");
    }
  }

  /** The SHA-256 fingerprint of the certificate the listener presents. */
  private String servedCertificate() {
    try (javax.net.ssl.SSLSocket socket =
             (javax.net.ssl.SSLSocket) TestCerts.trustAll().createSocket(RouterFixture.HOST, fixture.port)) {
      socket.startHandshake();
      byte[] der = socket.getSession().getPeerCertificates()[0].getEncoded();
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(der));
    } catch (Exception e) {
      return "unreachable: " + e;
    }
  }

  private long statsVersion() {
    try {
      return fixture.stats().getLong("configVersion");
    } catch (Exception e) {
      return -1;
    }
  }

  private HttpClientOptions tlsClient() {
    // Self-signed for the test: trust it without a trust store, the hostname being 127.0.0.1.
    return new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false);
  }

  private Reply send(HttpClient client, HttpMethod method, String uri, Buffer body) throws Exception {
    return Reply.send(fixture.context, client, new RequestOptions().setHost(RouterFixture.HOST).setPort(fixture.port)
        .setMethod(method).setURI(uri), body);
  }

  /** {@code "<http version> <status> <body>"} of one curl call. */
  private String curl(String version, String path) throws Exception {
    Process curl = new ProcessBuilder("curl", "-sS", "-k", version, "--max-time", "10", "-w", " %{http_version} %{http_code}",
        "https://" + RouterFixture.HOST + ":" + fixture.port + path).redirectErrorStream(true).start();
    String output = new String(curl.getInputStream().readAllBytes()).trim();
    assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
    int split = output.lastIndexOf(' ', output.lastIndexOf(' ') - 1);
    return output.substring(split + 1) + " " + output.substring(0, split);
  }
}
