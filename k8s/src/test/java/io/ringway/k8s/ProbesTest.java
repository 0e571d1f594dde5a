package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.ringway.admin.AdminVerticle;
import io.ringway.spi.Addresses;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.testkit.Ports;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The probes ask the admin API what it really answers, on the port it really listens on, without the token. */
class ProbesTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void probesGetTheAdminPortOverPlainHttpWithoutCredentials(Overlay overlay) {
    Rendered rendered = overlay.render();
    int adminPort = PodConfig.of(rendered).admin().port();

    probes(rendered).forEach((kind, probe) -> {
      HTTPGetAction get = probe.getHttpGet();
      assertThat(get).as("%s: %s probe is an HTTP GET", overlay, kind).isNotNull();
      Optional<ContainerPort> port = rendered.containerPort(get.getPort());
      assertThat(port).as("%s: %s probe port %s is a container port", overlay, kind, get.getPort()).isPresent();
      assertThat(port.get().getContainerPort()).as("%s: %s probe port, vs admin.port", overlay, kind).isEqualTo(adminPort);
      assertThat(get.getScheme()).as("%s: %s probe scheme", overlay, kind).isIn(null, "HTTP");
      assertThat(get.getHttpHeaders()).as("%s: %s probe headers (kubelet cannot read a Secret)", overlay, kind).isNullOrEmpty();
    });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void livenessAsksOnlyWhetherTheProcessServesAndReadinessWhetherTheNodeIsReady(Overlay overlay) {
    Map<String, Probe> probes = probes(overlay.render());

    // /ready turns 503 while draining: as a liveness probe it would restart every draining pod
    assertThat(probes.get("liveness").getHttpGet().getPath()).as("%s: liveness path", overlay).isEqualTo("/healthz");
    assertThat(probes.get("startup").getHttpGet().getPath()).as("%s: startup path", overlay).isEqualTo("/healthz");
    assertThat(probes.get("readiness").getHttpGet().getPath()).as("%s: readiness path", overlay).isEqualTo("/ready");
    // /ready waits up to a second for the node's answer; kubelet's default timeout is exactly that
    assertThat(probes.get("readiness").getTimeoutSeconds()).as("%s: readiness timeoutSeconds", overlay)
        .isNotNull().isGreaterThanOrEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theAdminApiAnswersEveryProbePathWithoutTheTokenAndNothingElse(Overlay overlay) throws Exception {
    Rendered rendered = overlay.render();
    AdminConfig podAdmin = PodConfig.of(rendered).admin();
    // the pod's admin settings, on loopback and a free port so the test can run anywhere
    AdminConfig admin = new AdminConfig("127.0.0.1", Ports.freeTcpPort(), podAdmin.token(), podAdmin.drainTimeout());
    assertThat(admin.token()).as("%s: admin.token", overlay).isNotBlank();

    Vertx vertx = Vertx.vertx();
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      MessageCodecs.registerAll(vertx);
      vertx.eventBus().consumer(Addresses.NODE_INFO, message -> message.reply(
          new NodeInfo("test", "nio", 1, 1, Instant.now(), NodePhase.READY)));
      vertx.deployVerticle(new AdminVerticle(admin)).await(10, TimeUnit.SECONDS);

      for (Map.Entry<String, Probe> probe : probes(rendered).entrySet()) {
        String path = probe.getValue().getHttpGet().getPath();
        assertThat(status(client, admin.port(), path)).as("%s: %s probe GET %s, no token", overlay, probe.getKey(), path)
            .isEqualTo(200);
      }
      assertThat(status(client, admin.port(), "/info")).as("%s: GET /info without the token", overlay).isEqualTo(401);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theStartupProbeWaitsLongerThanAClusterJoinAndTheWarmup() {
    Rendered rendered = Overlay.CLUSTERED.render();
    RingwayConfig config = PodConfig.of(rendered);
    Probe startup = probes(rendered).get("startup");

    long window = value(startup.getInitialDelaySeconds(), 0) + (long) value(startup.getPeriodSeconds(), 10)
        * value(startup.getFailureThreshold(), 3);
    // The admin API listens only once the node has joined, which may take cluster.joinTimeout, and warmed up. A
    // warm-up that hangs is abandoned at its bound and the node starts cold: the probe must not restart it first.
    Duration warmup = config.warmup().enabled() ? config.warmup().bound() : Duration.ZERO;
    assertThat(Duration.ofSeconds(window)).as("startup probe window, vs cluster.joinTimeout + warm-up")
        .isGreaterThan(config.cluster().joinTimeout().plus(warmup));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Overlay.class, names = {"STANDALONE", "CLUSTERED"})
  void proxyPodsWarmUpBeforeTheyTurnReady(Overlay overlay) {
    // A rollout sends a new pod traffic once it is ready: it should be at full speed by then.
    assertThat(PodConfig.of(overlay.render()).warmup().enabled()).as("%s: warmup.enabled", overlay).isTrue();
  }

  /** The container's probes by kind; each must be there. */
  static Map<String, Probe> probes(Rendered rendered) {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("startup", rendered.container().getStartupProbe());
    probes.put("liveness", rendered.container().getLivenessProbe());
    probes.put("readiness", rendered.container().getReadinessProbe());
    probes.forEach((kind, probe) -> assertThat(probe).as("%s: %s probe", rendered.overlay(), kind).isNotNull());
    return probes;
  }

  private static int value(Integer given, int kubeletDefault) {
    return given == null ? kubeletDefault : given;
  }

  private static int status(HttpClient client, int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
