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
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

  private List<HealthTransition> transitions(String name, Endpoint endpoint, UpstreamTlsConfig tls) throws Exception {
    ClusterConfig config = ClusterConfig.of(name, List.of(endpoint)).withTls(tls).withHealthCheck(FAST);
    List<HealthTransition> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<HealthTransition>consumer(Addresses.health(name), message -> seen.add(message.body()));
    HealthChecker.start(vertx, config).await(10, TimeUnit.SECONDS);
    return seen;
  }
}
