package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.spi.upstream.UpstreamTlsConfig;
import io.ringway.testkit.Ports;
import io.ringway.testkit.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS cluster's health probes connect with the cluster's TLS checks (a real TLS server, certificates from a CA made
 * here): an endpoint whose certificate the router would refuse goes unhealthy, one it accepts stays healthy.
 */
class TlsHealthCheckTest {

  /**
   * Probes every 100 ms, each allowed 5 s: a refused certificate fails at once, while a handshake that is only slow
   * on a loaded machine (a cold JIT, a busy CI runner) never counts as a failure here.
   */
  private static final HealthCheckConfig FAST =
      new HealthCheckConfig(Duration.ofMillis(100), Duration.ofSeconds(5), 2, 2, null, null);

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anEndpointWhoseCertificateDoesNotVerifyGoesUnhealthyAndOneThatDoesStays() throws Exception {
    MessageCodecs.registerAll(vertx);
    TestPki pki = TestPki.create(dir);
    TestPki.Issued cert = pki.server("up", "up.test");
    int port = vertx.createNetServer(new NetServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(cert.certFile().toString()).setKeyPath(cert.keyFile().toString())))
        .connectHandler(socket -> { })
        .listen(Ports.freeTcpPort(), "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    String otherCa = TestPki.create(dir.resolve("other"), "other-ca").caFile().toString();
    List<HealthTransition> trusted = transitions("trusted", endpoint,
        new UpstreamTlsConfig(pki.caFile().toString(), "up.test", true, null, null, false));
    List<HealthTransition> strange = transitions("strange", endpoint,
        new UpstreamTlsConfig(otherCa, "up.test", true, null, null, false));
    List<HealthTransition> misnamed = transitions("misnamed", endpoint,
        new UpstreamTlsConfig(pki.caFile().toString(), "else.test", true, null, null, false));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((strange.isEmpty() || misnamed.isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(strange).hasSize(1);
    assertThat(strange.getFirst().healthy()).isFalse();
    assertThat(misnamed).hasSize(1);
    assertThat(misnamed.getFirst().healthy()).isFalse();
    assertThat(trusted).as("the same server, probed with the right CA and name, never went unhealthy").isEmpty();
  }

  /**
   * A gRPC health check of a TLS cluster speaks HTTP/2 in TLS (ALPN h2) with the cluster's checks, as the router's
   * requests do: a server answering SERVING only over TLS stays healthy through it, a foreign CA still fails.
   */
  @Test
  void aGrpcCheckOfATlsClusterAsksOverTlsWithTheClustersChecks() throws Exception {
    MessageCodecs.registerAll(vertx);
    TestPki pki = TestPki.create(dir);
    TestPki.Issued cert = pki.server("grpc", "grpc.test");
    AtomicInteger askedOverTlsH2 = new AtomicInteger();
    // HealthCheckResponse{status: SERVING}: field 1 varint 1, in one uncompressed gRPC message.
    Buffer serving = Buffer.buffer(new byte[] {0, 0, 0, 0, 2, 0x08, 0x01});
    int port = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2)).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(cert.certFile().toString()).setKeyPath(cert.keyFile().toString())))
        .requestHandler(request -> {
          if (request.isSSL() && request.version() == HttpVersion.HTTP_2
              && request.path().equals("/grpc.health.v1.Health/Check")) {
            askedOverTlsH2.incrementAndGet();
          }
          request.response().putHeader("content-type", "application/grpc").putTrailer("grpc-status", "0").end(serving);
        })
        .listen(Ports.freeTcpPort(), "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    Endpoint endpoint = Endpoint.of("127.0.0.1", port);
    HealthCheckConfig grpc = new HealthCheckConfig(FAST.interval(), FAST.timeout(), 2, 2, null, null, "");
    List<HealthTransition> trusted = transitions("grpc-trusted", endpoint,
        new UpstreamTlsConfig(pki.caFile().toString(), "grpc.test", true, null, null, false), grpc);
    List<HealthTransition> strange = transitions("grpc-strange", endpoint, new UpstreamTlsConfig(
        TestPki.create(dir.resolve("other"), "other-ca").caFile().toString(), "grpc.test", true, null, null, false), grpc);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((strange.isEmpty() || askedOverTlsH2.get() < 4) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(strange).hasSize(1);
    assertThat(strange.getFirst().healthy()).isFalse();
    assertThat(askedOverTlsH2.get()).as("health checks received over TLS and HTTP/2").isGreaterThanOrEqualTo(4);
    assertThat(trusted).as("answered SERVING over TLS: never unhealthy").isEmpty();
  }

  private List<HealthTransition> transitions(String name, Endpoint endpoint, UpstreamTlsConfig tls) throws Exception {
    return transitions(name, endpoint, tls, FAST);
  }

  private List<HealthTransition> transitions(String name, Endpoint endpoint, UpstreamTlsConfig tls,
                                            HealthCheckConfig check) throws Exception {
    ClusterConfig config = ClusterConfig.of(name, List.of(endpoint)).withTls(tls).withHealthCheck(check);
    List<HealthTransition> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<HealthTransition>consumer(Addresses.health(name), message -> seen.add(message.body()));
    HealthChecker.start(vertx, config).await(10, TimeUnit.SECONDS);
    return seen;
  }
}
