package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http.tracing} on a real router: the upstream sees the client's trace id with a parent of this hop's own,
 * a malformed or missing {@code traceparent} starts a new trace, the sampled flag is kept, a retry is a second
 * child, and sampled spans reach a real OTLP/HTTP receiver (a server made here) as protobuf; the access log
 * carries the trace id.
 */
class TracingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @TempDir
  Path dir;
  private RouterFixture fixture;
  /** What the upstream saw: traceparent|tracestate per request. */
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final List<Buffer> exports = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void propagatesWithSpansOfItsOwnAndExportsSampledOnes() throws Exception {
    fixture = RouterFixture.ioUring();
    int collector = fixture.vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (request.path().equals("/v1/traces")) {
        exports.add(body);
        contentTypes.add(request.getHeader("content-type"));
      }
      request.response().putHeader("content-type", "application/x-protobuf").end();
    })).listen(Ports.freeTcpPort(), RouterFixture.HOST).await(10, TimeUnit.SECONDS).actualPort();
    AtomicInteger flaky = new AtomicInteger();
    List<Endpoint> endpoints = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      endpoints.add(Endpoint.of(RouterFixture.HOST, fixture.vertx.createHttpServer().requestHandler(request -> {
        seen.add(request.getHeader("traceparent") + "|" + request.getHeader("tracestate"));
        // The first request to /retry fails with 503, which the route retries on the other endpoint.
        int status = request.path().equals("/retry") && flaky.getAndIncrement() == 0 ? 503 : 200;
        request.response().setStatusCode(status).end("ok");
      }).listen(Ports.freeTcpPort(), RouterFixture.HOST).await(10, TimeUnit.SECONDS).actualPort()));
    }
    Path log = dir.resolve("access.log");
    fixture.accessLog = new AccessLogConfig(log.toString(), "{path} {traceId}", 1024);
    fixture.tracing = new TracingConfig(1.0, "http://" + RouterFixture.HOST + ":" + collector + "/v1/traces", "edge",
        64, Map.of());
    fixture.start(List.of(ClusterConfig.of("up", endpoints)),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("up"), RoutePolicy.DEFAULTS, List.of())));

    get("/a", "00-" + TRACE + "-" + CLIENT_SPAN + "-01", "vendor=x");
    String[] continued = seen.getLast().split("\\|");
    assertThat(continued[0]).matches("00-" + TRACE + "-[0-9a-f]{16}-01").doesNotContain(CLIENT_SPAN);
    assertThat(continued[1]).isEqualTo("vendor=x");

    get("/b", "00-" + TRACE + "-" + CLIENT_SPAN + "-00", null);
    assertThat(seen.getLast()).as("not sampled upstream either").matches("00-" + TRACE + "-[0-9a-f]{16}-00\\|null");

    for (String broken : List.of("01-" + TRACE + "-" + CLIENT_SPAN + "-01", "00-" + "0".repeat(32) + "-" + CLIENT_SPAN
        + "-01", "00-" + TRACE.toUpperCase() + "-" + CLIENT_SPAN + "-01", "00-" + TRACE + "-" + CLIENT_SPAN, "junk")) {
      get("/c", broken, null);
      assertThat(seen.getLast()).as(broken).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01\\|null").doesNotContain(TRACE);
    }
    get("/d", null, null);
    assertThat(seen.getLast()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01\\|null");

    get("/retry", "00-" + TRACE + "-" + CLIENT_SPAN + "-01", null);
    String first = seen.get(seen.size() - 2).substring(36, 52);
    String second = seen.getLast().substring(36, 52);
    assertThat(first).as("each try its own span").isNotEqualTo(second);

    // Sampled: /a (server + client span), 5 broken and /d (new traces: 2 each), /retry (server + 2 tries) = 17.
    Eventually.await("spans exported", Duration.ofSeconds(10), () -> exportedSpans() >= 17);
    assertThat(contentTypes).allMatch("application/x-protobuf"::equals);
    byte[] all = concat();
    assertThat(indexOf(all, HexFormat.of().parseHex(TRACE))).as("the client's trace id, raw in the protobuf").isNotNegative();
    assertThat(indexOf(all, "edge".getBytes(StandardCharsets.US_ASCII))).as("service.name").isNotNegative();
    assertThat(indexOf(all, "GET all".getBytes(StandardCharsets.US_ASCII))).as("the server span's name").isNotNegative();
    assertThat(indexOf(all, "GET up".getBytes(StandardCharsets.US_ASCII))).as("a try's span name").isNotNegative();

    JsonObject tracing = fixture.stats().getJsonObject("tracing");
    assertThat(tracing.getLong("tracesContinued")).isEqualTo(3);
    assertThat(tracing.getLong("tracesStarted")).isEqualTo(6);
    assertThat(tracing.getLong("spansDropped")).isZero();
    Eventually.await("access log", Duration.ofSeconds(5), () -> logHas(log, "/a " + TRACE));
  }

  @Test
  void aRatioOfZeroExportsNothingYetPropagates() throws Exception {
    fixture = RouterFixture.ioUring();
    AtomicInteger posts = new AtomicInteger();
    int collector = fixture.vertx.createHttpServer().requestHandler(request -> {
      posts.incrementAndGet();
      request.response().end();
    }).listen(Ports.freeTcpPort(), RouterFixture.HOST).await(10, TimeUnit.SECONDS).actualPort();
    int upstream = fixture.vertx.createHttpServer().requestHandler(request -> {
      seen.add(request.getHeader("traceparent"));
      request.response().end("ok");
    }).listen(Ports.freeTcpPort(), RouterFixture.HOST).await(10, TimeUnit.SECONDS).actualPort();
    fixture.tracing = new TracingConfig(0, "http://" + RouterFixture.HOST + ":" + collector + "/v1/traces", "edge", 64,
        Map.of());
    fixture.start(List.of(ClusterConfig.of("up", List.of(Endpoint.of(RouterFixture.HOST, upstream)))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("up"))));

    for (int i = 0; i < 20; i++) {
      get("/", null, null);
    }
    assertThat(seen).hasSize(20).allMatch(header -> header.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"));
    Thread.sleep(1500);
    assertThat(posts).hasValue(0);
  }

  private void get(String path, String traceparent, String tracestate) throws Exception {
    String request = "GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
        + (traceparent == null ? "" : "traceparent: " + traceparent + "\r\n")
        + (tracestate == null ? "" : "tracestate: " + tracestate + "\r\n") + "\r\n";
    assertThat(RawHttp.exchange(fixture.port, request)).startsWith("HTTP/1.1 200");
  }

  private static boolean logHas(Path log, String text) {
    try {
      return Files.exists(log) && Files.readString(log).contains(text);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private long exportedSpans() {
    try {
      return fixture.stats().getJsonObject("tracing").getLong("spansExported");
    } catch (Exception e) {
      return 0;
    }
  }

  private byte[] concat() {
    Buffer all = Buffer.buffer();
    exports.forEach(all::appendBuffer);
    return all.getBytes();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
