package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15: the same generated and mutated HTTP/1.1 requests sent to nginx, HAProxy and the router, all three in
 * front of one {@link MarkerBackend}; wherever the two peers agree, the router must agree with them or differ on
 * purpose (src/test/resources/conformance/deliberate-differences.tsv). Cases run one at a time, proxy after proxy,
 * so a backend hit belongs to the case and proxy in progress (each proxy also reaches the backend from its own
 * address, see {@link ProxyRun}). The default build runs the committed sample ({@code fuzz.cases}, seed
 * {@code fuzz.seed}); {@code -Pfuzz} runs 3000, {@code -Dfuzz.cases=N} any number, and
 * {@code -Dfuzz.only=15-7,15-40} replays the cases named. The report lands in target/differential-fuzz/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialFuzzTest {

  /** The fixture this class runs on: io_uring here, the byte-level HTTP/1 path in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  /** The sample every build runs: same seed, same bytes, every time. */
  static final long SEED = Long.getLong("fuzz.seed", 15);
  static final int CASES = Integer.getInteger("fuzz.cases", 400);
  /** Header/body/keep-alive timeouts of all three proxies: short, so a whole sample fits in a minute. */
  static final long PROXY_TIMEOUT_MILLIS = Long.getLong("fuzz.proxyTimeoutMillis", 500);
  /** The client gives up this long after sending: three proxy timeouts, so a proxy that holds shows as HELD. */
  static final long READ_TIMEOUT_MILLIS = Long.getLong("fuzz.readTimeoutMillis", 3 * PROXY_TIMEOUT_MILLIS);

  private RouterFixture fixture;
  private MarkerBackend backend;
  private PeerProxy nginx;
  private PeerProxy haproxy;
  private Path work;

  @BeforeAll
  void start() throws Exception {
    PeerProxy.require("nginx");
    PeerProxy.require("haproxy");
    work = Files.createTempDirectory("ringway-differential");
    fixture = newFixture();
    backend = new MarkerBackend(fixture.vertx);
    // The default listener (h2c on, default limits) but for the header timeout, as short as the peers'.
    HttpListenerConfig defaults = RouterFixture.listener(Ports.freeTcpPort());
    HttpListenerConfig listener = new HttpListenerConfig(defaults.name(), defaults.host(), defaults.port(),
        defaults.h2c(), defaults.maxHeaderBytes(), defaults.maxBodyBytes(), Duration.ofMillis(PROXY_TIMEOUT_MILLIS),
        defaults.idleTimeout(), defaults.maxConcurrentStreams(), HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
    nginx = PeerProxy.nginx(backend.port, PROXY_TIMEOUT_MILLIS, work);
    haproxy = PeerProxy.haproxy(backend.port, PROXY_TIMEOUT_MILLIS, work);
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable resource : new AutoCloseable[] {nginx, haproxy, fixture}) {
      if (resource != null) {
        resource.close();
      }
    }
  }

  /** The sample, or only the cases named in {@code -Dfuzz.only=15-7,15-40} to replay a few. */
  static List<FuzzCase> cases() {
    String only = System.getProperty("fuzz.only", "");
    if (only.isBlank()) {
      return CaseGenerator.generate(SEED, CASES);
    }
    List<FuzzCase> picked = new ArrayList<>();
    for (String id : only.split(",")) {
      String[] parts = id.trim().split("-");
      picked.add(CaseGenerator.one(Long.parseLong(parts[0]), Integer.parseInt(parts[1])));
    }
    return picked;
  }

  @Test
  void ringwayAnswersLikeNginxAndHaproxy() throws Exception {
    DeliberateDifferences allowlist = DeliberateDifferences.load();
    Exchange exchange = new Exchange(READ_TIMEOUT_MILLIS);
    // Warm-up, not judged: the first requests through a cold JVM can outlast the proxies' timeouts.
    for (FuzzCase valid : CaseGenerator.generate(SEED, FuzzCorpus.TEMPLATES.size())) {
      for (int port : new int[] {nginx.port, haproxy.port, fixture.port}) {
        exchange.run(port, valid);
      }
    }
    ProxyRun viaNginx = new ProxyRun("nginx", nginx.port, backend.from(PeerProxy.NGINX_SOURCE), () -> 0);
    ProxyRun viaHaproxy = new ProxyRun("haproxy", haproxy.port, backend.from(PeerProxy.HAPROXY_SOURCE), () -> 0);
    ProxyRun viaRingway = new ProxyRun("ringway", fixture.port, backend.from(RouterFixture.HOST),
        fixture.unhandled::size);
    List<FuzzCase> cases = cases();
    long start = System.nanoTime();
    for (FuzzCase fuzzCase : cases) {
      viaNginx.send(exchange, fuzzCase);
      viaHaproxy.send(exchange, fuzzCase);
      viaRingway.send(exchange, fuzzCase);
    }
    // The last cases' late forwards get the time the next case would have given them.
    Thread.sleep(300);
    List<Answer> fromNginx = viaNginx.answers();
    List<Answer> fromHaproxy = viaHaproxy.answers();
    List<Answer> fromRingway = viaRingway.answers();
    List<FuzzVerdict> verdicts = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      verdicts.add(FuzzVerdict.judge(cases.get(i), fromNginx.get(i), fromHaproxy.get(i), fromRingway.get(i),
          allowlist));
    }
    FuzzReport report = new FuzzReport(verdicts, (System.nanoTime() - start) / 1_000_000);
    Path dir = Path.of("target", "differential-fuzz");
    String name = System.getProperty("fuzz.only", "").isBlank() ? "seed-" + SEED + "-cases-" + CASES : "only";
    report.write(dir, name);
    String where = " (see " + dir.resolve(name + ".md").toAbsolutePath() + ")";
    System.out.println("[differential] " + report.summary() + where);

    // The valid corpus is the harness's own check: a proxy that does not forward it is misconfigured, not strict.
    assertThat(verdicts.stream().filter(v -> v.fuzzCase().kind().equals("valid")))
        .as("the valid corpus is forwarded by nginx and HAProxy")
        .allMatch(v -> v.consensus() == Answer.Kind.FORWARDED);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(report.forwardedWhatPeersRefused()).as("(a) forwarded by Ringway, by neither peer" + where)
        .extracting(v -> v.fuzzCase().id() + " " + v.fuzzCase().label()).isEmpty();
    soft.assertThat(report.silentWherePeersAnswered()).as("(b) closed/held by Ringway where both peers answered"
        + where).extracting(v -> v.fuzzCase().id() + " " + v.fuzzCase().label()).isEmpty();
    soft.assertThat(report.unhandled()).as("(c) exceptions that reached Vert.x unhandled" + where).isZero();
    soft.assertThat(report.agreementPercent()).as("agreement with the peers' consensus (%s groups of disagreements)%s",
        report.groups().size(), where).isGreaterThanOrEqualTo(99.0);
    soft.assertAll();
  }
}
