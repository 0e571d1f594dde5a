package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8s/monitoring/grafana-dashboard.json} asks only for series a live node's {@code /stats} has: every
 * metric each panel queries, and every label it groups by or names in a legend, on a real node with the
 * HTTP router, the TCP proxy and (as root with {@code /dev/net/tun}) the TUN bridge, after real traffic.
 */
class GrafanaDashboardTest {

  static final Path DASHBOARD = Path.of("..", "..", "k8s", "monitoring", "grafana-dashboard.json");
  /** A metric name in PromQL: followed by a selector or a range, never by "(" (a function) . */
  private static final Pattern METRIC = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*(?=[{\\[])");
  private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
  private static final Pattern LEGEND = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
  /** Labels Prometheus adds when it scrapes, and the dashboard's own variables: not in /stats by design. */
  private static final Set<String> SCRAPE_LABELS = Set.of("job", "instance", "pod", "namespace");

  @TempDir
  Path dir;

  private final int adminPort = Ports.freeTcpPort();
  private final int httpPort = Ports.freeTcpPort();
  private final int tcpPort = Ports.freeTcpPort();
  private LiveNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void everySeriesTheGrafanaDashboardQueriesExistsInALiveStats() throws Exception {
    boolean tun = "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun"));
    node = LiveNode.start(config(tun));
    traffic();
    String stats = node.get("/stats");
    Files.writeString(Path.of("target", "grafana-stats.txt"), stats); // what the dashboard was judged against
    Map<String, List<Set<String>>> series = series(stats);

    List<Query> queries = queries(new JsonObject(Files.readString(DASHBOARD)));
    assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(10);
    List<String> missing = new ArrayList<>();
    List<String> tunOnly = new ArrayList<>();
    for (Query query : queries) {
      // without a TUN device there is no tun-bridge: its panels are judged apart, and required in CI
      List<String> failures = query.metrics().stream().anyMatch(metric -> metric.startsWith("ringway_tun_bridge_")) ? tunOnly : missing;
      query.metrics().stream().filter(metric -> !series.containsKey(metric))
          .forEach(metric -> failures.add(query.panel() + ": " + metric + " is not in /stats"));
      query.labels().stream().filter(label -> !query.labelsFromAnyMetric(series, label))
          .forEach(label -> failures.add(query.panel() + ": no metric of " + query.metrics() + " has the label \"" + label + "\""));
    }
    assertThat(missing).as("series the dashboard asks for that /stats does not have").isEmpty();
    Capabilities.require("TUN", tun, "the TUN bridge's panels are checked as root with /dev/net/tun only");
    assertThat(tunOnly).as("TUN bridge series the dashboard asks for that /stats does not have").isEmpty();
  }

  /** One panel target: the metrics in its expression and the labels it groups by or shows. */
  private record Query(String panel, Set<String> metrics, Set<String> labels) {

    /** A label may come from any metric of the expression (a join or a division); it must be on one of them. */
    boolean labelsFromAnyMetric(Map<String, List<Set<String>>> series, String label) {
      return metrics.stream().map(series::get).filter(java.util.Objects::nonNull)
          .anyMatch(found -> found.stream().anyMatch(labels -> labels.contains(label)));
    }
  }

  private static List<Query> queries(JsonObject dashboard) {
    List<Query> queries = new ArrayList<>();
    List<JsonObject> panels = new ArrayList<>();
    collectPanels(dashboard.getJsonArray("panels"), panels);
    for (JsonObject panel : panels) {
      for (Object entry : panel.getJsonArray("targets", new JsonArray())) {
        JsonObject target = (JsonObject) entry;
        String expr = target.getString("expr");
        Set<String> metrics = new LinkedHashSet<>();
        Matcher metric = METRIC.matcher(expr);
        while (metric.find()) {
          metrics.add(metric.group(1));
        }
        Set<String> labels = new LinkedHashSet<>();
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
          for (String label : grouping.group(1).split(",")) {
            if (!label.isBlank()) {
              labels.add(label.strip());
            }
          }
        }
        Matcher legend = LEGEND.matcher(target.getString("legendFormat", ""));
        while (legend.find()) {
          labels.add(legend.group(1));
        }
        labels.removeAll(SCRAPE_LABELS);
        labels.remove("le"); // on every _bucket series by construction
        assertThat(metrics).as("metrics of %s: %s", panel.getString("title"), expr).isNotEmpty();
        queries.add(new Query(panel.getString("title"), metrics, labels));
      }
    }
    return queries;
  }

  private static void collectPanels(JsonArray panels, List<JsonObject> into) {
    for (Object entry : panels) {
      JsonObject panel = (JsonObject) entry;
      into.add(panel);
      collectPanels(panel.getJsonArray("panels", new JsonArray()), into); // panels inside collapsed rows
    }
  }

  /** Every series of the Prometheus text: metric name → the label names of each of its series. */
  private static Map<String, List<Set<String>>> series(String text) {
    Map<String, List<Set<String>>> series = new HashMap<>();
    Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s");
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> {
      Matcher matcher = line.matcher(l);
      if (matcher.find()) {
        Set<String> labels = new LinkedHashSet<>();
        if (matcher.group(3) != null) {
          Matcher names = label.matcher(matcher.group(3));
          while (names.find()) {
            labels.add(names.group(1));
          }
        }
        series.computeIfAbsent(matcher.group(1), name -> new ArrayList<>()).add(labels);
      }
    });
    return series;
  }

  private void traffic() throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      for (String path : List.of("/", "/missing", "/api/x")) {
        client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    }
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", tcpPort)) {
      socket.getOutputStream().write("ping".getBytes());
      socket.getInputStream().readNBytes(4);
    }
  }

  private JsonObject config(boolean tun) throws Exception {
    int demoHttp = Ports.freeTcpPort();
    int demoTcp = Ports.freeTcpPort();
    JsonArray verticles = new JsonArray().add("admin").add("demo-upstream").add("tcp-proxy").add("http-router");
    JsonObject config = new JsonObject()
        .put("transport", "auto")
        .put("eventLoops", 2)
        .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", adminPort))
        .put("demoUpstream", new JsonObject().put("host", "127.0.0.1").put("httpPort", demoHttp).put("tcpPort", demoTcp))
        .put("clusters", new JsonArray()
            .add(new JsonObject().put("name", "web").put("endpoints", new JsonArray()
                .add(new JsonObject().put("host", "127.0.0.1").put("port", demoHttp)))
                .put("healthCheck", new JsonObject().put("interval", "1s").put("timeout", "500ms")))
            .add(new JsonObject().put("name", "echo").put("endpoints", new JsonArray()
                .add(new JsonObject().put("host", "127.0.0.1").put("port", demoTcp)))))
        .put("tcp", new JsonObject().put("listeners", new JsonArray().add(new JsonObject()
            .put("name", "echo").put("host", "127.0.0.1").put("port", tcpPort).put("cluster", "echo"))))
        .put("http", new JsonObject()
            .put("listeners", new JsonArray().add(new JsonObject().put("name", "web").put("host", "127.0.0.1").put("port", httpPort)))
            .put("routes", new JsonArray().add(new JsonObject().put("name", "site").put("target", "web"))));
    if (tun) {
      Path key = dir.resolve("tun.key");
      Files.writeString(key, randomKey());
      int subnet = ThreadLocalRandom.current().nextInt(1, 255);
      verticles.add("tun-bridge");
      config.put("tun", new JsonObject()
          .put("deviceName", "rwg" + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff)))
          .put("addresses", new JsonArray().add("10.98." + subnet + ".1/24"))
          .put("listenHost", "127.0.0.1")
          .put("listenPort", freeUdpPort())
          .put("privateKeyFile", key.toString())
          .put("peers", new JsonArray().add(new JsonObject().put("name", "b").put("publicKey", randomKey())
              .put("endpoint", "127.0.0.1:" + freeUdpPort())
              .put("allowedPrefixes", new JsonArray().add("10.98." + subnet + ".2/32")))));
    }
    return config.put("verticles", verticles);
  }

  /** Any 32 bytes are a Curve25519 key (X25519 clamps the private one). */
  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static int freeUdpPort() throws Exception {
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
