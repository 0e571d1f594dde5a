package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.spi.upstream.UpstreamTlsConfig;
import io.ringway.testkit.Ports;
import io.ringway.testkit.TestPki;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from the router to a cluster, against real TLS upstreams whose certificates come from a CA made here: the
 * chain and the name are checked by default, SNI is the configured name, the router's client certificate reaches an
 * upstream that asks for one, and HTTP/2 is agreed through ALPN. The upstream answers with what it saw.
 */
class UpstreamTlsTest {

  @TempDir
  Path dir;
  private TestPki pki;
  private TestPki.Issued upstreamCert;
  private TestPki.Issued routerCert;
  private RouterFixture fixture;
  private int upstreamPort;
  /** Requests the upstream answers only when the test says. */
  private final Queue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create(dir);
    upstreamCert = pki.server("up", "up.test");
    routerCert = pki.client("router", "CN=router,O=Ringway");
    fixture = RouterFixture.ioUring();
    HttpServer upstream = fixture.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true)
        .setUseAlpn(true).setClientAuth(ClientAuth.REQUEST)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(upstreamCert.certFile().toString())
            .setKeyPath(upstreamCert.keyFile().toString()))
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caFile().toString())));
    upstream.requestHandler(request -> {
      if (request.path().equals("/h1/hold")) {
        held.add(request);
        return;
      }
      String client;
      try {
        client = ((X509Certificate) request.connection().peerCertificates().getFirst()).getSubjectX500Principal()
            .getName();
      } catch (SSLPeerUnverifiedException | RuntimeException none) {
        client = "none";
      }
      request.response().end(request.version() + " sni=" + request.connection().indicatedServerName() + " client="
          + client + " host=" + request.authority().host());
    });
    upstreamPort = upstream.listen(Ports.freeTcpPort(), RouterFixture.HOST).await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void verifiesTheUpstreamSendsSniAndTheClientCertificateOverHttp1AndH2() throws Exception {
    UpstreamTlsConfig tls = new UpstreamTlsConfig(pki.caFile().toString(), "up.test", true,
        routerCert.certFile().toString(), routerCert.keyFile().toString(), false);
    route(List.of(cluster("h1", UpstreamProtocol.HTTP1, tls), cluster("h2", UpstreamProtocol.H2, tls)));

    assertThat(get("/h1")).isEqualTo("200 HTTP_1_1 sni=up.test client=CN=router,O=Ringway host=site.test");
    assertThat(get("/h2")).isEqualTo("200 HTTP_2 sni=up.test client=CN=router,O=Ringway host=site.test");
  }

  @Test
  void refusesAnUpstreamOfAnotherCaOrForAnotherNameUnlessTold() throws Exception {
    TestPki other = TestPki.create(dir.resolve("other"), "other-ca");
    route(List.of(
        cluster("strange-ca", UpstreamProtocol.HTTP1, new UpstreamTlsConfig(other.caFile().toString(), "up.test", true,
            null, null, false)),
        cluster("wrong-name", UpstreamProtocol.HTTP1, new UpstreamTlsConfig(pki.caFile().toString(), "else.test", true,
            null, null, false)),
        cluster("name-unchecked", UpstreamProtocol.HTTP1, new UpstreamTlsConfig(pki.caFile().toString(), "else.test",
            false, null, null, false)),
        cluster("insecure", UpstreamProtocol.HTTP1, new UpstreamTlsConfig(other.caFile().toString(), null, true, null,
            null, true))));

    assertThat(get("/strange-ca")).startsWith("50");
    assertThat(get("/wrong-name")).startsWith("50");
    assertThat(get("/name-unchecked")).isEqualTo("200 HTTP_1_1 sni=else.test client=none host=site.test");
    assertThat(get("/insecure")).as("no SNI for an IP literal").isEqualTo("200 HTTP_1_1 sni=null client=none host=site.test");
    assertThat(fixture.clusterStats("strange-ca").getLong("httpTlsFailures")).isPositive();
    assertThat(fixture.clusterStats("wrong-name").getLong("httpTlsFailures")).isPositive();
    assertThat(fixture.clusterStats("insecure").getLong("httpTlsFailures")).isZero();
  }

  /**
   * A TLS cluster's connection pool is no second limit under the cluster's {@code maxConnections}: more requests than
   * its old 256 connections reach the upstream at once, where the rest waited for one of them to end.
   */
  @Test
  void moreRequestsThanTheOldPoolHeldAreInFlightToTheUpstreamAtOnce() throws Exception {
    route(List.of(cluster("h1", UpstreamProtocol.HTTP1, new UpstreamTlsConfig(pki.caFile().toString(), "up.test", true,
        null, null, false))));
    List<String> bodies = RawKeepAlive.burst(fixture.port, 300, "GET /h1/hold HTTP/1.1\r\nHost: site.test\r\n\r\n",
        held::size, () -> {
          for (HttpServerRequest request; (request = held.poll()) != null; ) {
            request.response().end("held");
          }
        });
    assertThat(bodies).hasSize(300).containsOnly("held");
  }

  private ClusterConfig cluster(String name, UpstreamProtocol protocol, UpstreamTlsConfig tls) {
    return new ClusterConfig(name, List.of(Endpoint.of(RouterFixture.HOST, upstreamPort)),
        ClusterConfig.DEFAULT_LOAD_BALANCER, null, null, ClusterConfig.of(name, List.of()).limits(),
        ClusterConfig.DEFAULT_CONNECT_TIMEOUT, io.ringway.spi.upstream.ProxyProtocolVersion.NONE, protocol, tls);
  }

  /** One route per cluster, at the cluster's name. */
  private void route(List<ClusterConfig> clusters) throws Exception {
    fixture.start(clusters, clusters.stream().map(cluster -> new RouteConfig(cluster.name(),
        RouteMatch.path(new io.ringway.spi.config.PathMatch(io.ringway.spi.config.PathMatch.Kind.PREFIX,
            "/" + cluster.name())), ForwardAction.to(cluster.name()))).toList());
  }

  /** Status code and body of a GET through the router with Host site.test. */
  private String get(String path) throws Exception {
    String response = RawHttp.exchange(fixture.port,
        "GET " + path + " HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n");
    return response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3) + " "
        + response.substring(response.indexOf("\r\n\r\n") + 4);
  }
}
