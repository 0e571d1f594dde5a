package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.ringway.admin.AdminVerticle;
import io.ringway.spi.Addresses;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.testkit.Ports;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The monitoring component ({@code k8s/monitoring}, rendered in {@code overlays/monitored}): the ServiceMonitor
 * reaches {@code /stats} on every pod's admin port with the token the pods use, the real admin API answers that
 * scrape, the plain scrape config says the same, and Grafana gets the dashboard {@code GrafanaDashboardTest} checks.
 */
class MonitoringTest {

  private static final Path COMPONENT = Kustomize.k8sDir().resolve("monitoring");

  @Test
  void theServiceMonitorScrapesStatsOnEveryPodsAdminPortWithThePodsToken() {
    Rendered rendered = Overlay.MONITORED.render();
    ServiceMonitor.Endpoint endpoint = endpoint(rendered);
    Service metrics = scraped(rendered);

    assertThat(metrics.getSpec().getClusterIP()).as("headless: every pod is scraped, not one behind a VIP").isEqualTo("None");
    assertThat(rendered.podLabels()).containsAllEntriesOf(metrics.getSpec().getSelector());
    ServicePort port = metrics.getSpec().getPorts().stream().filter(p -> endpoint.port().equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("the ServiceMonitor's port " + endpoint.port() + " is not a port of " + name(metrics)));
    Optional<ContainerPort> container = rendered.containerPort(port.getTargetPort());
    assertThat(container).as("target port %s", port.getTargetPort()).isPresent();
    assertThat(container.get().getContainerPort()).as("the scraped port, vs admin.port").isEqualTo(PodConfig.of(rendered).admin().port());
    assertThat(endpoint.path()).isEqualTo("/stats");
    assertThat(seconds(endpoint.scrapeTimeout())).as("scrapeTimeout, vs interval").isLessThan(seconds(endpoint.interval()));
    assertThat(endpoint.authorization().type()).isEqualTo("Bearer");
    SecretKeySelector token = adminTokenOfThePods(rendered);
    assertThat(endpoint.authorization().credentials().getName()).isEqualTo(token.getName());
    assertThat(endpoint.authorization().credentials().getKey()).isEqualTo(token.getKey());
  }

  @Test
  void theAdminApiAnswersTheScrapeInPrometheusTextWithTheTokenAndNothingWithout() throws Exception {
    Rendered rendered = Overlay.MONITORED.render();
    AdminConfig podAdmin = PodConfig.of(rendered).admin();
    AdminConfig admin = new AdminConfig("127.0.0.1", Ports.freeTcpPort(), podAdmin.token(), podAdmin.drainTimeout());
    String path = endpoint(rendered).path();
    Vertx vertx = Vertx.vertx();
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      MessageCodecs.registerAll(vertx);
      vertx.eventBus().consumer(Addresses.NODE_INFO, message -> message.reply(
          new NodeInfo("test", "nio", 1, 1, Instant.now(), NodePhase.READY)));
      vertx.deployVerticle(new AdminVerticle(admin)).await(10, TimeUnit.SECONDS);
      URI uri = URI.create("http://127.0.0.1:" + admin.port() + path);

      HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + admin.token())
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scrape.body()).contains("ringway_stats_complete 1", "process_uptime_seconds");
      assertThat(anonymous.statusCode()).isEqualTo(401);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void grafanaGetsTheCheckedDashboardFromAConfigMapItsSidecarLoads() throws Exception {
    ConfigMap dashboard = Overlay.MONITORED.render().configMap("ringway-grafana-dashboard")
        .orElseThrow(() -> new AssertionError("no ConfigMap ringway-grafana-dashboard"));

    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData().get("ringway.json")).isEqualTo(Files.readString(COMPONENT.resolve("grafana-dashboard.json")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePlainScrapeConfigScrapesWhatTheServiceMonitorDoes() throws Exception {
    Rendered rendered = Overlay.MONITORED.render();
    ServiceMonitor.Endpoint endpoint = endpoint(rendered);
    Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(COMPONENT.resolve("prometheus-scrape.yaml")));
    Map<String, Object> job = ((List<Map<String, Object>>) document.get("scrape_configs")).getFirst();

    assertThat(job.get("metrics_path")).isEqualTo(endpoint.path());
    assertThat(job.get("scrape_interval")).isEqualTo(endpoint.interval());
    assertThat(job.get("scrape_timeout")).isEqualTo(endpoint.scrapeTimeout());
    Map<String, Object> authorization = (Map<String, Object>) job.get("authorization");
    assertThat(authorization.get("type")).isEqualTo("Bearer");
    assertThat((String) authorization.get("credentials_file"))
        .endsWith("/" + adminTokenOfThePods(rendered).getName() + "/" + adminTokenOfThePods(rendered).getKey());
    Map<String, Object> keep = ((List<Map<String, Object>>) job.get("relabel_configs")).getFirst();
    assertThat(keep.get("action")).isEqualTo("keep");
    String[] wanted = ((String) keep.get("regex")).split(";");
    assertThat(rendered.podLabels()).containsEntry("app.kubernetes.io/name", wanted[0]);
    assertThat(rendered.container().getPorts()).extracting(ContainerPort::getName).contains(wanted[1]);
  }

  @Test
  void theMonitoredOverlayIsStandalonePlusTheComponentAndNothingElse() {
    List<String> standalone = Overlay.STANDALONE.render().objects().stream().map(MonitoringTest::name).toList();
    List<String> monitored = Overlay.MONITORED.render().objects().stream().map(MonitoringTest::name).toList();

    assertThat(monitored).containsExactlyInAnyOrderElementsOf(concat(standalone,
        List.of("Service/ringway-metrics", "ServiceMonitor/ringway", "ConfigMap/ringway-grafana-dashboard")));
  }

  private static ServiceMonitor.Endpoint endpoint(Rendered rendered) {
    List<ServiceMonitor> monitors = rendered.all(ServiceMonitor.class);
    assertThat(monitors).hasSize(1);
    assertThat(monitors.getFirst().getSpec().endpoints()).hasSize(1);
    return monitors.getFirst().getSpec().endpoints().getFirst();
  }

  /** The Services the ServiceMonitor selects: exactly one, never the clients' Service. */
  private static Service scraped(Rendered rendered) {
    Map<String, String> wanted = rendered.all(ServiceMonitor.class).getFirst().getSpec().selector().getMatchLabels();
    List<Service> selected = rendered.services().stream()
        .filter(service -> service.getMetadata().getLabels() != null && service.getMetadata().getLabels().entrySet().containsAll(wanted.entrySet()))
        .toList();
    assertThat(selected).extracting(MonitoringTest::name).containsExactly("Service/ringway-metrics");
    return selected.getFirst();
  }

  private static SecretKeySelector adminTokenOfThePods(Rendered rendered) {
    EnvVar token = rendered.container().getEnv().stream().filter(env -> env.getName().equals("RINGWAY_ADMIN__TOKEN")).findFirst()
        .orElseThrow(() -> new AssertionError("the pods take no RINGWAY_ADMIN__TOKEN"));
    return token.getValueFrom().getSecretKeyRef();
  }

  private static long seconds(String duration) {
    assertThat(duration).matches("[0-9]+s");
    return Long.parseLong(duration.substring(0, duration.length() - 1));
  }

  private static String name(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getName();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
