package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Ringway nodes as separate processes on loopback, clustered over Hazelcast with a TCP-IP member
 * list: endpoints, config and event-bus services shared across them, and the endpoints of a crashed or
 * hung member gone from the others.
 */
class ClusterIT {

  private static final String TOKEN = "it-token";
  private static final Duration STARTUP = Duration.ofSeconds(90);
  /** cluster.failureTimeout in the test config. */
  private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(5);
  /** Time the test allows beyond a promised bound: three JVMs share two cores with the build. */
  private static final Duration SLACK = Duration.ofSeconds(5);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final List<RingwayProcess> processes = new ArrayList<>();
  private final List<HttpServer> backends = new ArrayList<>();

  /** One running node: its process and the ports it serves on. */
  private record Node(String name, RingwayProcess process, int admin, int web) {
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (RingwayProcess process : processes) {
      process.kill();
    }
    backends.forEach(server -> server.stop(0));
  }

  @Test
  void threeNodesShareEndpointsConfigAndServicesAndForgetCrashedAndHungOnes() throws Exception {
    List<Integer> memberPorts = List.of(Ports.freeTcpPort(), Ports.freeTcpPort(), Ports.freeTcpPort());
    String config = config(memberPorts, 5_000);
    Path file = Files.writeString(dir.resolve("cluster.yaml"), config);
    Node a = start("A", file, memberPorts.get(0));
    Node b = start("B", file, memberPorts.get(1));
    Node c = start("C", file, memberPorts.get(2), "-Dringway.verticles=admin,http-router,test-echo-service");

    // An endpoint registered on A is used by C's router within 2 s.
    int backendA = backend("backend-a");
    long registered = System.nanoTime();
    assertThat(registerEndpoint(a, backendA).statusCode()).isEqualTo(201);
    awaitBody(c, "/api", "backend-a"::equals, Duration.ofSeconds(2));
    System.out.printf("endpoint registered on A used by C after %d ms%n", (System.nanoTime() - registered) / 1_000_000);

    // Every node's endpoints reach every router.
    int backendB = backend("backend-b");
    assertThat(registerEndpoint(b, backendB).statusCode()).isEqualTo(201);
    assertThat(registerEndpoint(c, backend("backend-c")).statusCode()).isEqualTo(201);
    awaitBackends(a, Set.of("backend-a", "backend-b", "backend-c"));
    awaitBackends(c, Set.of("backend-a", "backend-b", "backend-c"));
    // Each node announced its own HTTP listener into the cluster "fleet".
    awaitClusters(a, body -> body.contains("127.0.0.1:" + a.web()) && body.contains("127.0.0.1:" + b.web())
        && body.contains("127.0.0.1:" + c.web()));

    // A route to an event-bus service on A reaches the service only C runs.
    HttpResponse<String> service = get(a.web(), "/svc/hello");
    assertThat(service.statusCode()).isEqualTo(200);
    assertThat(service.body()).isEqualTo("echo from C /svc/hello");

    // /stats?scope=cluster on any member sums every member's counters.
    long perNode = 0;
    for (Node node : List.of(a, b, c)) {
      perNode += routeRequests(stats(node, ""));
    }
    assertThat(perNode).as("requests routed on A, B and C").isGreaterThan(0);
    String cluster = stats(b, "?scope=cluster");
    assertThat(routeRequests(cluster)).isEqualTo(perNode);
    assertThat(cluster).contains("ringway_stats_complete 1", "ringway_verticle_instances{verticle=\"http-router\"} 3");

    // PUT /config on A reaches B and C with the same version; a stale writer gets 409.
    String next = config + "  - name: added-by-put\n";
    HttpResponse<String> put = putConfig(a, next, null);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    long version = new JsonObject(put.body()).getLong("version");
    assertThat(version).isEqualTo(2);
    for (Node node : List.of(a, b, c)) {
      awaitConfigVersion(node, version);
    }
    HttpResponse<String> stale = putConfig(b, next, 1L);
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(stale.body()).getLong("currentVersion")).isEqualTo(version);

    // An invalid document is refused with every error, and no node moves.
    HttpResponse<String> invalid = putConfig(c, "clusters: [{name: x, endpoints: [{port: 0}]}]\nbogus: 1\n", null);
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(invalid.body()).getJsonArray("errors").encode())
        .contains("clusters[0].endpoints[0].host: required", "bogus: unknown key");
    Thread.sleep(1000);
    for (Node node : List.of(a, b, c)) {
      assertThat(info(node).getLong("configVersion")).isEqualTo(version);
    }
    // the new config's routers got the cluster's endpoint sets back
    awaitBackends(a, Set.of("backend-a", "backend-b", "backend-c"));

    // kill -9 of B: A and C stop using B's endpoint within the failure timeout, and serve on throughout.
    b.process().kill();
    long killed = System.nanoTime();
    Duration gone = null;
    int served = 0;
    int sinceLast = 0;
    while (sinceLast < 30) {
      for (Node node : List.of(a, c)) {
        HttpResponse<String> response = get(node.web(), "/api");
        assertThat(response.statusCode()).as("request %d through %s: %s", served, node.name(), response.body()).isEqualTo(200);
        served++;
        sinceLast = response.body().equals("backend-b") ? 0 : sinceLast + 1;
      }
      gone = Duration.ofNanos(System.nanoTime() - killed);
      assertThat(gone).as("B's endpoint still used").isLessThan(FAILURE_TIMEOUT.plus(SLACK).plus(SLACK));
    }
    System.out.printf("B's endpoint unused %d ms after kill -9 (%d requests, none failed)%n", gone.toMillis(), served);
    awaitBackends(c, Set.of("backend-a", "backend-c"));
    awaitClusters(c, body -> body.contains("127.0.0.1:" + a.web()) && !body.contains("127.0.0.1:" + b.web()));

    // C hangs with its connections open: only the failure timeout tells A, which then stops using C's endpoint.
    c.process().freeze();
    long frozen = System.nanoTime();
    sinceLast = 0;
    while (sinceLast < 30) {
      HttpResponse<String> response = get(a.web(), "/api");
      assertThat(response.statusCode()).as("request through A: %s", response.body()).isEqualTo(200);
      sinceLast = response.body().equals("backend-c") ? 0 : sinceLast + 1;
      gone = Duration.ofNanos(System.nanoTime() - frozen);
      assertThat(gone).as("C's endpoint still used").isLessThan(FAILURE_TIMEOUT.plus(SLACK).plus(SLACK));
    }
    System.out.printf("C's endpoint unused %d ms after kill -STOP%n", gone.toMillis());
  }

  @Test
  void aClusterThatCannotFormFailsStartupWithinTheJoinTimeout() throws Exception {
    int absent = Ports.freeTcpPort();
    Path file = Files.writeString(dir.resolve("alone.yaml"), """
        transport: nio
        eventLoops: 1
        verticles: [admin]
        cluster:
          enabled: true
          interface: 127.0.0.1
          port: %d
          portAutoIncrement: false
          minMembers: 2
          joinTimeout: 3s
          discovery:
            tcpIp: {members: ["127.0.0.1:%d"]}
        """.formatted(Ports.freeTcpPort(), absent));
    long started = System.nanoTime();
    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, List.of("-Dringway.admin.port=" + Ports.freeTcpPort()),
        "--conf", file.toString());
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("ringway: cluster: did not join within 3 s: 2 member(s) needed",
        "127.0.0.1:" + absent);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aMemberThatCannotStartFailsStartupAtOnce() throws Exception {
    Path file = Files.writeString(dir.resolve("nowhere.yaml"), """
        transport: nio
        eventLoops: 1
        verticles: [admin]
        cluster:
          interface: 10.255.255.254
        """);
    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, List.of("-Dringway.admin.port=" + Ports.freeTcpPort()),
        "--conf", file.toString(), "--cluster");
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("ringway: cluster: cannot start the cluster member on port 5701, interface 10.255.255.254: ");
  }

  private static String config(List<Integer> memberPorts, int failureTimeoutMillis) {
    StringBuilder members = new StringBuilder();
    memberPorts.forEach(port -> members.append(members.isEmpty() ? "" : ", ").append("\"127.0.0.1:").append(port).append('"'));
    // The clusters list comes last, so a test can append a cluster to it.
    return """
        transport: nio
        eventLoops: 1
        verticles: [admin, http-router]
        admin: {host: 127.0.0.1, port: 9901, token: %s}
        http:
          listeners: [{name: web, host: 127.0.0.1, port: 8080}]
          routes:
            - {name: svc, match: {path: {prefix: /svc}}, target: "eventbus:test.echo"}
            - {name: api, target: api}
        cluster:
          enabled: true
          name: ringway-it
          secret: it-secret
          interface: 127.0.0.1
          portAutoIncrement: false
          joinTimeout: 60s
          failureTimeout: %dms
          discovery:
            tcpIp: {members: [%s]}
          announce:
            - {cluster: fleet, listener: web}
        clusters:
          - name: fleet
          - name: api
        """.formatted(TOKEN, failureTimeoutMillis, members);
  }

  /** Starts one node with its own ports, this module's test classes on its class path, and waits until it is ready. */
  private Node start(String name, Path file, int memberPort, String... flags) throws Exception {
    int admin = Ports.freeTcpPort();
    int web = Ports.freeTcpPort();
    List<String> jvmFlags = new ArrayList<>(List.of("-Xmx256m", "-Dringway.it.node=" + name,
        "-Dringway.admin.port=" + admin, "-Dringway.http.listeners.0.port=" + web, "-Dringway.cluster.port=" + memberPort));
    jvmFlags.addAll(List.of(flags));
    Path testClasses = Path.of(System.getProperty("ringway.jar")).resolveSibling("test-classes");
    RingwayProcess process = RingwayProcess.startWithClasspath(dir, jvmFlags, testClasses, "--conf", file.toString());
    processes.add(process);
    Node node = new Node(name, process, admin, web);
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      try {
        if (admin(node, HttpRequest.newBuilder(adminUri(node, "/ready"))).statusCode() == 200) {
          return node;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(process.awaitExit(Duration.ofMillis(200))).as("node %s exited:%n%s", name, process.output()).isNull();
      assertThat(System.nanoTime()).as("node %s not ready in %s:%n%s", name, STARTUP, process.output()).isLessThan(deadline);
    }
  }

  private int backend(String answer) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = answer.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    backends.add(server);
    return server.getAddress().getPort();
  }

  private HttpResponse<String> registerEndpoint(Node node, int port) throws Exception {
    String body = new JsonObject().put("host", "127.0.0.1").put("port", port).encode();
    return admin(node, HttpRequest.newBuilder(adminUri(node, "/endpoints/api")).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> putConfig(Node node, String document, Long ifVersion) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(adminUri(node, "/config")).PUT(HttpRequest.BodyPublishers.ofString(document));
    if (ifVersion != null) {
      request.header("If-Match", String.valueOf(ifVersion));
    }
    return admin(node, request);
  }

  private String stats(Node node, String query) throws Exception {
    HttpResponse<String> stats = admin(node, HttpRequest.newBuilder(adminUri(node, "/stats" + query)));
    assertThat(stats.statusCode()).isEqualTo(200);
    return stats.body();
  }

  /** The requests the route "api" counted, from Prometheus text. */
  private static long routeRequests(String prometheus) {
    return prometheus.lines().filter(line -> line.startsWith("ringway_http_router_route_requests_total{route=\"api\"}"))
        .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private JsonObject info(Node node) throws Exception {
    return new JsonObject(admin(node, HttpRequest.newBuilder(adminUri(node, "/info"))).body());
  }

  private void awaitConfigVersion(Node node, long version) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (info(node).getLong("configVersion") != version) {
      assertThat(System.nanoTime()).as("node %s never reached config version %d:%n%s", node.name(), version,
          node.process().output()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Sends requests through the node's router until exactly {@code expected} backends answered the last ones. */
  private void awaitBackends(Node node, Set<String> expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    Set<String> seen = new HashSet<>();
    while (!seen.equals(expected)) {
      seen.clear();
      for (int i = 0; i < expected.size() * 4; i++) {
        HttpResponse<String> response = get(node.web(), "/api");
        if (response.statusCode() == 200) {
          seen.add(response.body());
        }
      }
      assertThat(System.nanoTime()).as("node %s answered from %s, not %s", node.name(), seen, expected).isLessThan(deadline);
    }
  }

  /** Waits until the node's {@code GET /clusters} answer satisfies {@code wanted}. */
  private void awaitClusters(Node node, Predicate<String> wanted) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String body = admin(node, HttpRequest.newBuilder(adminUri(node, "/clusters"))).body();
    while (!wanted.test(body)) {
      assertThat(System.nanoTime()).as("GET /clusters on %s: %s", node.name(), body).isLessThan(deadline);
      Thread.sleep(100);
      body = admin(node, HttpRequest.newBuilder(adminUri(node, "/clusters"))).body();
    }
  }

  private void awaitBody(Node node, String path, Predicate<String> wanted, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = get(node.web(), path);
      if (response.statusCode() == 200 && wanted.test(response.body())) {
        return;
      }
      last = response.statusCode() + " " + response.body();
      Thread.sleep(20);
    }
    throw new AssertionError("GET " + path + " on node " + node.name() + " not as wanted within " + wait + " (last: " + last + ")");
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(Node node, HttpRequest.Builder request) throws Exception {
    return http.send(request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI adminUri(Node node, String path) {
    return URI.create("http://127.0.0.1:" + node.admin() + path);
  }
}
