package io.ringway.launcher;

import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.ringway.spi.WarmupReport;
import io.ringway.spi.config.Durations;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.TlsConfig;
import io.ringway.spi.config.WarmupConfig;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code warmup}: before the node deploys its own verticles (so before its listeners bind and before it reports
 * ready), it deploys the data-plane verticles it will run — the HTTP router and the TCP proxy — on private loopback
 * ports, in front of a private echo upstream, and drives them with {@link TrainingLoad} until the JIT compiler has
 * settled or {@code warmup.maxDuration} passed. Then it undeploys all of it. The compiled code stays: the node's
 * first requests run at full speed, where a cold JVM needs seconds of C2 work on the loop's core (docs/benchmarks.md,
 * "Peak speed from the first seconds").
 *
 * <p>The warm-up never sends a byte to the node's configured upstreams, never binds its configured ports, and never
 * fails the start: if it cannot run, the node starts cold and says why.
 */
final class NodeWarmup {

  private static final System.Logger LOG = System.getLogger(NodeWarmup.class.getName());
  /** The verticles whose data path the warm-up runs; the others have no hot path a loopback load reaches. */
  private static final Set<String> WARMED = Set.of("http-router", "tcp-proxy");
  private static final String BUS_ADDRESS = "ringway.warmup.echo";
  /**
   * The JIT counts as settled once two seconds of load in a row each cost it less than this much compile time
   * (one quiet second happens while the compilers wait for methods to get hot).
   */
  private static final long SETTLED_COMPILE_MILLIS_PER_SECOND = 50;
  private static final int SETTLED_SECONDS = 2;
  /**
   * Keep-alive GET clients at once: a busy node's concurrency. With one client per kind the load never fills the
   * upstream pool or the loop's batches, and the first busy seconds after ready deoptimised and recompiled the hot
   * path (docs/benchmarks.md, "Warming up before ready").
   */
  private static final int GET_CLIENTS = 64;
  private static final long TEARDOWN_STEP_SECONDS = 10;
  /** HTTP/2 clients per listener that takes HTTP/2: streams at once on its one connection. */
  private static final int HTTP2_CLIENTS = 4;
  private static final Buffer GREETING = Buffer.buffer("warm-up upstream: hello\n");
  private static final Buffer PAGE = Buffer.buffer("<!doctype html><title>warm-up</title>" + "<p>warm-up page</p>".repeat(50));

  private final Vertx vertx;
  private final PluginCatalog catalog;
  private final RingwayConfig node;
  /** Per kind ("h2c", "h2"), the HTTP/2 requests the load had answered. */
  private final Map<String, LongAdder> http2Requests = new ConcurrentHashMap<>();

  NodeWarmup(Vertx vertx, PluginCatalog catalog, RingwayConfig node) {
    this.vertx = vertx;
    this.catalog = catalog;
    this.node = node;
  }

  /**
   * Runs the warm-up when config asks for one; completes (never fails) when it is over and torn down, with null when
   * config asked for none.
   */
  Future<WarmupReport> run() {
    if (!node.warmup().enabled()) {
      return Future.succeededFuture();
    }
    List<String> names = node.verticles().stream().filter(WARMED::contains).toList();
    if (names.isEmpty()) {
      WarmupReport nothing = WarmupReport.skipped("the verticles " + node.verticles() + " include none of " + WARMED);
      LOG.log(Level.INFO, nothing.describe());
      return Future.succeededFuture(nothing);
    }
    TlsConfig tls = names.contains("http-router") ? tlsToWarm() : null;
    LOG.log(Level.INFO, "warm-up: running {0} on loopback for at most {1} before the listeners bind{2}", names,
        Durations.format(node.warmup().maxDuration()),
        tls == null ? "" : ", TLS on " + tls.certificates().getFirst().certFile()
            + " (engine " + tls.engine().name().toLowerCase(Locale.ROOT) + ")");
    Teardown teardown = new Teardown();
    // The load ends by itself soon after maxDuration; the bound is for a set-up step that never completes.
    Duration bound = node.warmup().bound();
    Future<WarmupReport> report = startUpstream(teardown).compose(upstream -> deploy(names, tls, upstream, teardown))
        .compose(listeners -> load(listeners, teardown))
        .timeout(bound.toMillis(), TimeUnit.MILLISECONDS);
    return report.transform(done -> teardown.run().map(ignored -> {
      WarmupReport outcome = done.succeeded() ? done.result() : WarmupReport.skipped(done.cause() instanceof TimeoutException
          ? "not over after %s (maxDuration %s and %s to set up): a deployment or listener of the warm-up never completed"
              .formatted(Durations.format(bound), Durations.format(node.warmup().maxDuration()),
                  Durations.format(WarmupConfig.SET_UP_SLACK))
          : String.valueOf(done.cause()));
      LOG.log(outcome.skipped() == null ? Level.INFO : Level.WARNING, outcome.describe());
      return outcome;
    }));
  }

  private record Upstream(int httpPort, int tcpPort) {
  }

  /**
   * @param tlsPort the TLS listener's port, or 0 when none runs
   * @param tlsTrust the certificate chain file the load's TLS clients trust: the listener's own, or null
   */
  private record Listeners(int httpPort, int tcpPort, int tlsPort, String tlsTrust, boolean eventBusRoute) {
  }

  /** An HTTP upstream ({@link #answer}) and a TCP echo on loopback ports the kernel picks. */
  private Future<Upstream> startUpstream(Teardown teardown) {
    HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(NodeWarmup::answer);
    NetServer tcp = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
        .connectHandler(socket -> socket.pipeTo(socket));
    teardown.add(http::close);
    teardown.add(tcp::close);
    return http.listen().compose(h -> tcp.listen()).map(t -> new Upstream(http.actualPort(), tcp.actualPort()));
  }

  /**
   * Answers the way the upstreams behind a node do, so the router reads (and the JIT compiles for) more than one shape
   * of response head: bodies echoed; {@code /index.html} as nginx serves a file; under {@code /api/} a chunked JSON
   * answer with a cookie, or 304 to a conditional request; anything else a short greeting with a length only.
   */
  private static void answer(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT) {
      request.body().onSuccess(body -> {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
          response.putHeader(HttpHeaders.CONTENT_TYPE, type);
        }
        response.end(body);
      });
    } else if (request.path().equals("/index.html")) {
      response.putHeader("Server", "nginx/1.22.1").putHeader(HttpHeaders.DATE, "Sat, 05 Dec 2026 12:00:00 GMT")
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/html")
          .putHeader(HttpHeaders.LAST_MODIFIED, "Tue, 01 Dec 2026 08:00:00 GMT")
          .putHeader(HttpHeaders.ETAG, "\"692c5a80-3db\"").putHeader(HttpHeaders.ACCEPT_RANGES, "bytes").end(PAGE);
    } else if (request.path().startsWith("/api/")) {
      response.putHeader(HttpHeaders.ETAG, "\"v42\"").putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=0");
      if (request.headers().contains(HttpHeaders.IF_NONE_MATCH)) {
        response.setStatusCode(304).end();
      } else {
        response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.VARY, "Accept-Encoding").putHeader(HttpHeaders.SET_COOKIE, "seen=1; Path=/; HttpOnly")
            .write("{\"items\":[");
        response.end("{\"id\":42,\"name\":\"train\"}]}");
      }
    } else {
      response.end(GREETING);
    }
  }

  /** @param tls the TLS listener to warm up, or null */
  private Future<Listeners> deploy(List<String> names, TlsConfig tls, Upstream upstream, Teardown teardown) {
    // Not on a clustered bus: a consumer there is announced to every member.
    boolean eventBusRoute = !vertx.isClustered();
    if (eventBusRoute) {
      MessageConsumer<Object> echo = vertx.eventBus().localConsumer(BUS_ADDRESS, message -> message.reply(message.body()));
      teardown.add(echo::unregister);
    }
    // Off the loop: finding free ports binds sockets, and validating a TLS listener reads its certificate files.
    return vertx.executeBlocking(() -> {
      int[] ports = Training.freePorts(3);
      Listeners listeners = new Listeners(names.contains("http-router") ? ports[0] : 0,
          names.contains("tcp-proxy") ? ports[1] : 0, tls == null ? 0 : ports[2],
          tls == null ? null : tls.certificates().getFirst().certFile(), eventBusRoute);
      return new Plan(listeners, new ConfigSnapshot(0, config(names, upstream, ports, tls, eventBusRoute), "warm-up"));
    }).compose(plan -> {
      Future<?> deployed = Future.succeededFuture();
      for (String name : names) {
        VerticleProvider provider = catalog.verticle(name).orElseThrow();
        deployed = deployed.compose(ignored -> vertx.deployVerticle(() -> provider.create(plan.snapshot()),
            new DeploymentOptions()).onSuccess(id -> teardown.add(() -> vertx.undeploy(id))));
      }
      return deployed.map(ignored -> plan.listeners());
    });
  }

  /** Where the warm-up's load goes, and the config its verticles run. */
  private record Plan(Listeners listeners, ConfigSnapshot snapshot) {
  }

  /**
   * The TLS settings of the node's first TLS listener that lets a client without a certificate in, so handshakes on
   * the node's own certificate and engine get compiled too; null when there is none.
   */
  private TlsConfig tlsToWarm() {
    return node.http().listeners().stream().map(HttpListenerConfig::tls)
        .filter(tls -> tls != null && tls.clientAuth() != TlsConfig.ClientAuth.REQUIRE).findFirst().orElse(null);
  }

  /**
   * The warm-up's own config: the node's transport, one loop's worth of each verticle, no admin, no access log, and
   * only loopback addresses. Parsed without the node's environment and system-property overlay, which names the
   * node's ports, not these.
   *
   * @param ports the HTTP listener's, the TCP listener's and the TLS listener's
   * @param tls the TLS listener's certificate and engine, or null for no TLS listener
   */
  private RingwayConfig config(List<String> names, Upstream upstream, int[] ports, TlsConfig tls, boolean eventBusRoute) {
    String yaml = """
        transport: %s
        eventLoops: 1
        verticles: [%s]
        clusters:
          - name: warmup-tcp
            endpoints: [{host: 127.0.0.1, port: %d}]
          - name: warmup-http
            endpoints: [{host: 127.0.0.1, port: %d}]
        tcp:
          listeners:
            - {name: warmup, host: 127.0.0.1, port: %d, cluster: warmup-tcp}
        http:
          listeners:
            - {name: warmup, host: 127.0.0.1, port: %d, h2c: %s, byteLevelHttp1: %s}
            %s
          routes:
            %s
            - {name: warmup, target: warmup-http}
        """.formatted(node.transport(), String.join(", ", names), upstream.tcpPort(), upstream.httpPort(), ports[1], ports[0],
        // h2c sniffs each connection's first bytes: a pipeline of another shape is another path to compile
        h2c(), byteLevelHttp1(),
        tls == null ? "" : "- " + tlsListener(ports[2], tls).encode(),
        eventBusRoute ? "- {name: bus, match: {path: {prefix: /bus}}, target: \"eventbus:" + BUS_ADDRESS + "\"}" : "");
    ConfigResult result = new ConfigLoader(catalog, Map.of(), Map.of()).check(yaml);
    if (!result.isValid()) {
      throw new IllegalStateException("the warm-up's own config is invalid: " + result.errors());
    }
    return result.config();
  }

  /** A TLS listener on {@code port} with {@code tls}'s first certificate and engine, in config's JSON form (YAML too). */
  private static JsonObject tlsListener(int port, TlsConfig tls) {
    TlsConfig.CertificateFiles certificate = tls.certificates().getFirst();
    return new JsonObject().put("name", "warmup-tls").put("host", "127.0.0.1").put("port", port)
        .put("tls", new JsonObject()
            .put("certificates", new JsonArray().add(new JsonObject()
                .put("certFile", certificate.certFile()).put("keyFile", certificate.keyFile())))
            .put("engine", tls.engine().name().toLowerCase(Locale.ROOT))
            .put("reloadInterval", "0s"));
  }

  /**
   * The load, off the event loops, until the JIT settles or {@code maxDuration} passed; the outcome comes back on the
   * caller's context, where the teardown and the node's own deployment go on.
   */
  private Future<WarmupReport> load(Listeners listeners, Teardown teardown) {
    Context context = vertx.getOrCreateContext();
    Promise<WarmupReport> done = Promise.promise();
    TrainingLoad load = new TrainingLoad(listeners.httpPort(), listeners.tcpPort(), 0, listeners.eventBusRoute(),
        GET_CLIENTS).withTls(listeners.tlsPort(), listeners.tlsTrust());
    if (listeners.httpPort() != 0 && h2c()) {
      addHttp2Clients(load, "h2c", new HttpClientOptions().setHttp2ClearTextUpgrade(false), listeners.httpPort(), teardown);
    }
    if (listeners.tlsPort() != 0) {
      addHttp2Clients(load, "h2", new HttpClientOptions().setSsl(true).setUseAlpn(true).setVerifyHost(false)
          .setTrustOptions(new PemTrustOptions().addCertPath(listeners.tlsTrust())), listeners.tlsPort(), teardown);
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean measured = jit != null && jit.isCompilationTimeMonitoringSupported();
    long startNanos = System.nanoTime();
    long deadline = startNanos + node.warmup().maxDuration().toNanos();
    long compileAtStart = measured ? jit.getTotalCompilationTime() : 0;
    Thread.ofPlatform().name("ringway-warmup").daemon().start(() -> {
      try {
        Thread runner = Thread.ofPlatform().name("ringway-warmup-load").daemon().start(() -> {
          try {
            load.run(deadline);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        int quietSeconds = 0;
        long compiled = compileAtStart;
        long requests = 0;
        while (runner.isAlive()) {
          runner.join(1000);
          if (measured && runner.isAlive()) {
            long now = jit.getTotalCompilationTime();
            LOG.log(Level.DEBUG, "warm-up: {0} ms: {1} requests, {2} ms compiling in the last second",
                (System.nanoTime() - startNanos) / 1_000_000, load.requests() - requests, now - compiled);
            quietSeconds = now - compiled < SETTLED_COMPILE_MILLIS_PER_SECOND ? quietSeconds + 1 : 0;
            compiled = now;
            requests = load.requests();
            if (quietSeconds == SETTLED_SECONDS) {
              load.stop();
            }
          }
        }
        for (String client : load.abandoned()) {
          LOG.log(Level.WARNING, "warm-up: gave up on the client {0}", client);
        }
        if (load.firstFailure() != null) {
          LOG.log(Level.WARNING, "warm-up: {0} requests failed; the first: {1}", load.failures(), load.firstFailure());
        }
        WarmupReport report = new WarmupReport((System.nanoTime() - startNanos) / 1_000_000, load.requests(),
            load.failures(), measured ? jit.getTotalCompilationTime() - compileAtStart : -1,
            quietSeconds >= SETTLED_SECONDS, null);
        context.runOnContext(onLoop -> done.complete(report));
      } catch (InterruptedException e) {
        load.stop();
        context.runOnContext(onLoop -> done.fail(e));
      } catch (RuntimeException e) {
        context.runOnContext(onLoop -> done.fail(e));
      }
    });
    return done.future();
  }

  /**
   * Streams through the router over HTTP/2, so its h2 path (Vert.x's HTTP/2 server connection and the router's
   * handling of its streams) is compiled too: {@link #HTTP2_CLIENTS} clients sharing one connection, each a stream at
   * a time. Vert.x's client, on this Vert.x: the JDK's speaks h2c only by upgrade, not by prior knowledge as gRPC
   * clients do, and checks the certificate's host name. Closed (and so held until then) by the teardown.
   */
  private void addHttp2Clients(TrainingLoad load, String kind, HttpClientOptions options, int port, Teardown teardown) {
    HttpClient client = vertx.createHttpClient(options.setProtocolVersion(HttpVersion.HTTP_2)
        .setDefaultHost("127.0.0.1").setDefaultPort(port));
    teardown.add(client::close);
    LongAdder answered = http2Requests.computeIfAbsent(kind, k -> new LongAdder());
    for (int i = 0; i < HTTP2_CLIENTS; i++) {
      load.withClient(kind + "-" + i, () -> {
        int status;
        try {
          status = client.request(HttpMethod.GET, "/").compose(request -> request.send())
              .compose(response -> response.body().map(response.statusCode()))
              .await(TrainingLoad.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          throw new IOException(kind + " GET /: " + e, e);
        }
        if (status != 200) {
          throw new IOException(kind + " GET /: status " + status);
        }
        answered.increment();
      });
    }
  }

  /** Whether the warm-up's plain HTTP listener takes h2c, as the node's first listener does. */
  private boolean h2c() {
    return node.http().listeners().isEmpty() || node.http().listeners().getFirst().h2c();
  }

  /** The byte-level HTTP/1 path is another path to compile, when a listener of the node's runs it. */
  private boolean byteLevelHttp1() {
    return node.http().listeners().stream().anyMatch(HttpListenerConfig::byteLevelHttp1);
  }

  /** Per kind ("h2c" by prior knowledge, "h2" over TLS), the HTTP/2 requests the load had answered so far. */
  Map<String, Long> http2Requests() {
    Map<String, Long> counts = new TreeMap<>();
    http2Requests.forEach((kind, answered) -> counts.put(kind, answered.sum()));
    return counts;
  }

  /**
   * What the warm-up set up, to undo last first (the verticles before the upstream they proxy to), one step after the
   * other whatever each step's outcome, each given at most {@link #TEARDOWN_STEP_SECONDS}: the node's own deployment
   * starts when the last is done, and a step that hangs must not hold the node's start. A step added once the undo
   * ran (a deployment that completed after the warm-up's bound) runs at once.
   */
  private static final class Teardown {

    private final List<Supplier<Future<?>>> steps = new ArrayList<>();
    private boolean ran;

    synchronized void add(Supplier<Future<?>> step) {
      if (ran) {
        step.get();
      } else {
        steps.add(step);
      }
    }

    synchronized Future<Void> run() {
      ran = true;
      Future<?> chain = Future.succeededFuture();
      for (int i = steps.size() - 1; i >= 0; i--) {
        Supplier<Future<?>> step = steps.get(i);
        chain = chain.transform(ignored -> step.get().timeout(TEARDOWN_STEP_SECONDS, TimeUnit.SECONDS)
            .onFailure(cause -> LOG.log(Level.WARNING, "warm-up: a teardown step failed, the node starts anyway: {0}", cause)));
      }
      return chain.transform(ignored -> Future.succeededFuture());
    }
  }
}
