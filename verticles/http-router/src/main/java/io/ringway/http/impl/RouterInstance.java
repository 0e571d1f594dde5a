package io.ringway.http.impl;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.AccessLogConfig;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.EventBusAction;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.RedirectAction;
import io.ringway.spi.config.TracingConfig;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.SpanSink;
import io.ringway.spi.http.SpanSinkFactory;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.upstream.UpstreamCluster;
import io.ringway.upstream.UpstreamClusters;
import io.ringway.upstream.UpstreamTls;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Everything one router instance runs on its loop: listeners, the route table, clusters and the upstream
 * client. Config changes apply one after another; a reload swaps the route table reference, so each
 * request keeps the table (and the cluster) it was routed with.
 */
public final class RouterInstance {

  private static final System.Logger LOG = System.getLogger(RouterInstance.class.getName());
  private static final AtomicLong IDS = new AtomicLong();
  /** How long a removed or changed listener lets its open requests finish. */
  private static final Duration LISTENER_GRACE = Duration.ofSeconds(30);
  /** How long a TLS cluster's replaced client may finish its requests before it closes. */
  private static final Duration TLS_CLIENT_GRACE = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String id;
  private final int instances;
  private final RouterContext router;
  private final UpstreamClusters clusters;
  private final RouteFilters filters;
  private final Map<String, RouteStats> routeStats = new LinkedHashMap<>();
  private final Map<String, UpstreamStats> upstreamStats = new HashMap<>();
  private final Map<String, Listener> listeners = new LinkedHashMap<>();
  private final Map<String, ListenerStats> listenerStats = new HashMap<>();
  private final SplittableRandom random = new SplittableRandom();
  private RouteTable table = RouteTable.compile(List.of());
  /** {@code http.clientCertHeader} of the config in force: stripped from every request, set from a client cert. */
  private String clientCertHeader = HttpRouterConfig.DEFAULT_CLIENT_CERT_HEADER;
  private AccessLog accessLog;
  private Future<Void> applied = Future.succeededFuture();
  /** {@code http.tracing} in force, or null: off. */
  private TracingConfig tracing;
  /** Where sampled spans go; null without an endpoint or without a sink plugin. */
  private SpanSink spanSink;
  private long tracesStarted;
  private long tracesContinued;
  private long configVersion;
  private boolean draining;
  /** {@code admin.drainCloseSpread} of the config in force: read at each drain, so a reload changes it. */
  private Duration closeSpread = Duration.ZERO;
  /** Listeners that stopped (drain, removal or replacement) and still have connections open. */
  private final List<Listener> closing = new ArrayList<>();
  /** The byte-level path's upstream connections, shared by this instance's listeners that have the path on. */
  private final ByteUpstreams byteUpstreams;
  private final ByteLevelHttp1.Routing byteLevelRouting = new ByteLevelRouting();

  /** Call on the instance's context: the client, its pools and all timers bind to it. */
  public RouterInstance(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.id = "http-router-" + IDS.incrementAndGet();
    this.instances = Math.max(1, context.getInstanceCount());
    HttpClientOptions clientOptions = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setPipelining(false);
    HttpClientOptions h2cOptions = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setTcpNoDelay(true);
    this.router = new RouterContext(vertx, (io.vertx.core.internal.ContextInternal) context,
        http1Client(vertx, clientOptions), http1Client(vertx, new HttpClientOptions(clientOptions).setKeepAlive(false)),
        vertx.httpClientBuilder().with(h2cOptions)
            .withConnectHandler(connection -> connection.exceptionHandler(UpstreamGuard::ignore)).build(),
        new HashMap<>());
    this.clusters = new UpstreamClusters(vertx, context, id, instances);
    this.byteUpstreams = new ByteUpstreams(vertx, router.context().nettyEventLoop());
    this.filters = new RouteFilters(vertx, instances);
  }

  /** A client to HTTP/1 (or TLS) clusters with {@code options}, each connection guarded ({@link UpstreamGuard}). */
  private static HttpClient http1Client(Vertx vertx, HttpClientOptions options) {
    // The cluster's limits.maxConnections bounds requests in flight; a smaller pool was a second, lower limit
    // (256 connections: 1,280 req/s to a backend that takes 200 ms, where the byte-level path served 4,900).
    return vertx.httpClientBuilder().with(options)
        .with(new PoolOptions().setHttp1MaxSize(CircuitBreakerConfig.DEFAULT_LIMIT))
        .withConnectHandler(UpstreamGuard::install).build();
  }

  /** Every TLS cluster's settings with its files read (blocking: a worker thread's). */
  private static Map<String, UpstreamTls> loadTls(List<ClusterConfig> clusters) {
    Map<String, UpstreamTls> tls = new HashMap<>();
    for (ClusterConfig cluster : clusters) {
      if (cluster.tls() != null) {
        tls.put(cluster.name(), UpstreamTls.load(cluster));
      }
    }
    return tls;
  }

  /**
   * A client per TLS cluster: kept when its settings and files are as before (its pooled connections with it),
   * made anew when they changed; a replaced or removed one finishes what it carries and closes.
   */
  private void applyTls(Map<String, UpstreamTls> next) {
    Map<String, RouterContext.TlsClient> clients = router.tls();
    Map<String, RouterContext.TlsClient> previous = new HashMap<>(clients);
    clients.clear();
    next.forEach((name, settings) -> {
      RouterContext.TlsClient old = previous.get(name);
      if (old != null && old.settings().equals(settings)) {
        clients.put(name, previous.remove(name));
      } else {
        clients.put(name, new RouterContext.TlsClient(settings, http1Client(vertx, settings.clientOptions()),
            http1Client(vertx, new HttpClientOptions(settings.clientOptions()).setKeepAlive(false))));
      }
    });
    previous.values().forEach(old -> {
      old.client().shutdown(TLS_CLIENT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      old.oneShot().shutdown(TLS_CLIENT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    });
  }

  public Future<Void> start(ConfigSnapshot snapshot) {
    return enqueue(() -> apply(snapshot));
  }

  /** Applies a newer config; a replay of the one in force is ignored. */
  public Future<Void> reload(ConfigSnapshot snapshot) {
    return enqueue(() -> snapshot.version() <= configVersion ? Future.succeededFuture() : apply(snapshot));
  }

  private Future<Void> apply(ConfigSnapshot snapshot) {
    closeSpread = snapshot.config().admin().drainCloseSpread();
    HttpRouterConfig http = snapshot.config().http();
    RouteTable next;
    try {
      Map<String, List<HttpFilter>> chains = filters.apply(http.routes());
      next = RouteTable.compile(http.routes(), name -> routeStats.computeIfAbsent(name, n -> new RouteStats()),
          chains::get);
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
    applyAccessLog(http.accessLog());
    applyTracing(http.tracing());
    clientCertHeader = http.clientCertHeader();
    // Clusters before routes: a new route's first request needs its cluster, and a TLS cluster its client first.
    List<ClusterConfig> clusterConfigs = snapshot.config().clusters();
    return vertx.executeBlocking(() -> loadTls(clusterConfigs)).compose(tls -> {
      applyTls(tls);
      return clusters.apply(clusterConfigs);
    }).compose(ready -> {
      table = next;
      // Only now: /stats says which config routes requests, and a test or an operator waiting for a version must
      // not see it while the clusters (TLS files read off the loop) are still being prepared.
      configVersion = snapshot.version();
      return draining ? Future.succeededFuture() : applyListeners(http.listeners());
    });
  }

  private void applyAccessLog(AccessLogConfig config) {
    if (accessLog != null && Objects.equals(accessLog.config, config)) {
      return;
    }
    AccessLog previous = accessLog;
    accessLog = config == null ? null : new AccessLog(config);
    if (previous != null) {
      previous.close();
    }
  }

  /**
   * Removed listeners stop; new and changed ones are prepared (TLS files loaded) first, and a changed one
   * replaces the running one only once its replacement is ready: a bad certificate keeps the old listener.
   * A replaced listener drains in the background, so the next config need not wait for its grace period.
   */
  private Future<Void> applyListeners(List<HttpListenerConfig> configs) {
    List<Future<?>> steps = new ArrayList<>();
    Map<String, HttpListenerConfig> wanted = new LinkedHashMap<>();
    configs.forEach(c -> wanted.put(c.name(), c));
    for (Listener running : new ArrayList<>(listeners.values())) {
      if (!wanted.containsKey(running.config.name())) {
        listeners.remove(running.config.name());
        stop(running, LISTENER_GRACE);
      }
    }
    for (HttpListenerConfig config : configs) {
      Listener running = listeners.get(config.name());
      if (running != null && running.config.equals(config)) {
        // Same paths, maybe new contents: a config reload is also a moment to look at the files.
        running.reloadTlsIfChanged();
        continue;
      }
      if (running != null && running.config.port() == config.port() && running.config.host().equals(config.host())
          && (running.config.tls() == null) != (config.tls() == null)) {
        // Vert.x keeps serving an address with the TLS setting of the first server bound there, so a
        // replacement could not switch it; saying so beats a listener that silently ignores its config.
        steps.add(Future.failedFuture("http-router: listener " + config.name() + " cannot turn TLS "
            + (config.tls() == null ? "off" : "on") + " on " + config.host() + ":" + config.port()
            + " while it runs (restart, or move it to another port); the running listener stays"));
        continue;
      }
      ListenerStats stats = listenerStats.computeIfAbsent(config.name(), n -> new ListenerStats());
      steps.add(Listener.create(vertx, config, stats, routed -> dispatch(routed.request(), routed.listener()),
              refused -> Outcome.track(refused, null, this::finished), byteLevelRouting)
          // The replacement listens before the old one stops: Vert.x unbinds an address whose last server
          // stops, and a new server joining it in between would be left with no socket.
          .compose(next -> next.listen().map(listening -> {
            Listener previous = listeners.put(config.name(), next);
            if (previous != null) {
              stop(previous, LISTENER_GRACE);
            }
            return listening;
          }), failed -> Future.failedFuture(new VertxException(failed.getMessage()
              + (listeners.containsKey(config.name()) ? "; the running listener stays" : ""), failed))));
    }
    return Future.all(steps).mapEmpty();
  }

  private void dispatch(HttpServerRequest request, Listener listener) {
    identifyClient(request, listener);
    if (MaxForwards.isLastHop(request)) {
      Outcome.track(request, null, this::finished);
      MaxForwards.answer(request);
      return;
    }
    RouteTable routes = table;
    Route route = routes.match(RouteRequest.of(request));
    Outcome outcome = Outcome.track(request, route, this::finished);
    if (tracing != null) {
      outcome.trace = RequestTrace.start(request, tracing.sampleRatio(), spanSink, random);
      if (outcome.trace.continued()) {
        tracesContinued++;
      } else {
        tracesStarted++;
      }
    }
    if (route == null) {
      listener.stats.noRoute++;
      LocalResponses.error(request, 404, "no route");
      return;
    }
    route.stats().requests++;
    if (route.filters().isEmpty()) {
      act(request, route, listener, outcome);
    } else {
      filterThenAct(request, route, listener, outcome, new FilterRequestView(request, route.name()), 0);
    }
  }

  /**
   * The client certificate header says what this listener verified, never what the client wrote: a client's own is
   * removed on every listener, TLS or not, before filters and upstreams see the request.
   */
  private void identifyClient(HttpServerRequest request, Listener listener) {
    MultiMap headers = request.headers();
    if (headers.contains(clientCertHeader)) {
      headers.remove(clientCertHeader);
    }
    String identity = listener.clientIdentity(request);
    if (identity != null) {
      headers.set(clientCertHeader, identity);
    }
  }

  /**
   * Runs the route's filters from {@code index} on; a filter that decided at once costs no pause, one that must
   * wait holds the request (body unread) until it has decided.
   */
  private void filterThenAct(HttpServerRequest request, Route route, Listener listener, Outcome outcome,
                             FilterRequestView view, int index) {
    for (int i = index; i < route.filters().size(); i++) {
      Future<FilterVerdict> verdict = route.filters().get(i).onRequest(view);
      if (!verdict.isComplete()) {
        int next = i + 1;
        request.pause();
        verdict.onComplete(decided -> {
          request.resume();
          if (decided.succeeded() && decided.result() == FilterVerdict.CONTINUE) {
            filterThenAct(request, route, listener, outcome, view, next);
          } else {
            answerForFilter(request, route, decided);
          }
        });
        return;
      }
      if (verdict.failed() || verdict.result() != FilterVerdict.CONTINUE) {
        answerForFilter(request, route, verdict);
        return;
      }
    }
    act(request, route, listener, outcome);
  }

  private static void answerForFilter(HttpServerRequest request, Route route, AsyncResult<FilterVerdict> verdict) {
    route.stats().filtered++;
    if (verdict.failed()) {
      LocalResponses.error(request, 500, "filter failed");
      return;
    }
    FilterVerdict.Reply reply = (FilterVerdict.Reply) verdict.result();
    reply.headers().forEach(request.response()::putHeader);
    LocalResponses.error(request, reply.status(), reply.reason());
  }

  private void act(HttpServerRequest request, Route route, Listener listener, Outcome outcome) {
    long maxBody = listener.config.maxBodyBytes();
    switch (route.action()) {
      case ForwardAction forward -> forward(request, route, maxBody, listener, outcome);
      case DirectResponseAction direct -> LocalResponses.direct(request, direct);
      case RedirectAction redirect -> LocalResponses.redirect(request, redirect);
      case EventBusAction bus -> new EventBusExchange(vertx, request, route, maxBody, listener.stats).start();
    }
  }

  private void forward(HttpServerRequest request, Route route, long maxBody, Listener listener, Outcome outcome) {
    String name = route.pickCluster(random);
    UpstreamCluster cluster = clusters.get(name);
    if (cluster == null) {
      LocalResponses.error(request, 503, "unknown cluster " + name);
      return;
    }
    UpstreamStats stats = upstreamStats.computeIfAbsent(name, n -> new UpstreamStats());
    if (UpgradeExchange.isWebSocketUpgrade(request)) {
      new UpgradeExchange(router, request, route, cluster, stats, outcome).start();
    } else {
      new ProxyExchange(router, request, route, cluster, stats, maxBody, listener.stats, outcome).start();
    }
  }

  private void finished(Outcome outcome) {
    if (accessLog != null) {
      accessLog.log(outcome);
    }
  }

  /** The port a listener bound, or -1; tests use it with port 0. */
  public int actualPort(String listener) {
    Listener running = listeners.get(listener);
    return running == null ? -1 : running.actualPort();
  }

  /** This instance's counters: the stats contract of {@code HttpRouterVerticle}. */
  public InstanceStats stats() {
    JsonArray listenerJson = new JsonArray();
    listeners.values().forEach(l -> listenerJson.add(l.statsJson()));
    JsonArray routeJson = new JsonArray();
    Map<String, Route> current = new HashMap<>();
    table.routes().forEach(route -> current.put(route.name(), route));
    routeStats.forEach((name, stats) -> {
      JsonObject json = stats.toJson(name);
      Route route = current.get(name);
      if (route != null && !route.filters().isEmpty()) {
        json.put("filters", RouteFilters.statsJson(route.filters(), route.config().filters()));
      }
      routeJson.add(json);
    });
    long inFlight = routeStats.values().stream().mapToLong(stats -> stats.inFlight).sum();
    if (draining) {
      // A drained node exits once this is zero: an idle connection still waiting for its spread close counts.
      inFlight += listeners.values().stream().mapToLong(Listener::openConnectionsWhileClosing).sum()
          + closing.stream().mapToLong(Listener::openConnectionsWhileClosing).sum();
    }
    return new InstanceStats("http-router", id, instances, inFlight, new JsonObject()
        .put("thread", Thread.currentThread().getName()).put("configVersion", configVersion).put("draining", draining)
        .put("listeners", listenerJson).put("routes", routeJson).put("clusters", clusterStatsJson())
        .put("accessLog", accessLog == null ? null : accessLog.statsJson())
        .put("tracing", tracing == null ? null : new JsonObject().put("tracesStarted", tracesStarted)
            .put("tracesContinued", tracesContinued).mergeIn(spanSink == null ? new JsonObject() : spanSink.stats())));
  }

  /**
   * Takes {@code http.tracing}: a changed one gets a new span sink (the old one sends what it holds and stops off
   * the loop); without an endpoint, or without a sink plugin installed, trace context still propagates.
   */
  private void applyTracing(TracingConfig next) {
    if (Objects.equals(next, tracing)) {
      return;
    }
    SpanSink old = spanSink;
    spanSink = null;
    tracing = next;
    if (next != null && next.endpoint() != null) {
      SpanSinkFactory factory = ServiceLoader.load(SpanSinkFactory.class).findFirst().orElse(null);
      if (factory == null) {
        LOG.log(Level.WARNING, "http.tracing.endpoint is set but no span exporter is installed (plugins/tracing-otlp):"
            + " trace context is propagated, no span is exported");
      } else {
        spanSink = factory.create(next);
      }
    }
    if (old != null) {
      vertx.executeBlocking(() -> {
        old.close();
        return null;
      });
    }
  }

  /** The shared cluster counters plus what only HTTP counts, per cluster. */
  private JsonArray clusterStatsJson() {
    JsonArray array = clusters.statsJson();
    array.forEach(entry -> {
      JsonObject cluster = (JsonObject) entry;
      UpstreamStats http = upstreamStats.get(cluster.getString("cluster"));
      cluster.mergeIn((http == null ? new UpstreamStats() : http).toJson());
    });
    return array;
  }

  /**
   * Stops accepting, for good: each listener drains its connections within {@code grace} (see
   * {@link ListenerDrain}: HTTP/1 ones close after a response saying {@code connection: close}, or spread
   * over {@code admin.drainCloseSpread} when idle; HTTP/2 ones get GOAWAYs). Listeners stay in the stats;
   * later configs change routes and clusters but open no listener.
   */
  public Future<Void> drain(Duration grace) {
    return enqueue(() -> {
      draining = true;
      Duration bounded = grace.isNegative() ? Duration.ZERO : grace;
      listeners.values().forEach(listener -> listener.close(bounded, closeSpread, true));
      return Future.succeededFuture();
    });
  }

  /** A listener taken out of service drains in the background; it counts as closing until it is closed. */
  private void stop(Listener listener, Duration grace) {
    closing.add(listener);
    listener.close(grace, closeSpread, false).onComplete(closed -> closing.remove(listener));
  }

  /** Stops listening and closes every connection, checking and the client. */
  public Future<Void> close() {
    List<Future<?>> steps = new ArrayList<>();
    listeners.values().forEach(l -> steps.add(l.closeNow()));
    closing.forEach(l -> steps.add(l.closeNow()));
    listeners.clear();
    applyAccessLog(null);
    applyTracing(null);
    filters.close();
    byteUpstreams.close();
    steps.add(clusters.close());
    List<Future<Void>> closed = new ArrayList<>(List.of(router.client().close(), router.oneShotClient().close(),
        router.h2cClient().close()));
    router.tls().values().forEach(own -> {
      closed.add(own.client().close());
      closed.add(own.oneShot().close());
    });
    return Future.join(steps).compose(v -> Future.join(closed)).mapEmpty();
  }

  /** What the byte-level path of this instance's listeners routes with: the same table, clusters and counters. */
  private final class ByteLevelRouting implements ByteLevelHttp1.Routing {

    private String clientCertHeader;
    private String clientCertHeaderLower;

    @Override
    public io.vertx.core.internal.ContextInternal context() {
      return router.context();
    }

    @Override
    public RouteTable table() {
      return table;
    }

    @Override
    public UpstreamCluster cluster(String name) {
      return clusters.get(name);
    }

    @Override
    public UpstreamStats upstreamStats(String cluster) {
      return upstreamStats.computeIfAbsent(cluster, n -> new UpstreamStats());
    }

    @Override
    public ByteUpstreams upstreams() {
      return byteUpstreams;
    }

    @Override
    public boolean tracing() {
      return tracing != null;
    }

    @Override
    public String clientCertHeader() {
      if (!RouterInstance.this.clientCertHeader.equals(clientCertHeader)) {
        clientCertHeader = RouterInstance.this.clientCertHeader;
        clientCertHeaderLower = ByteLevelHttp1.lowerCase(clientCertHeader);
      }
      return clientCertHeaderLower;
    }

    @Override
    public boolean accessLog() {
      return accessLog != null;
    }

    @Override
    public void finished(Outcome outcome) {
      RouterInstance.this.finished(outcome);
    }

    @Override
    public java.util.random.RandomGenerator random() {
      return random;
    }
  }

  private Future<Void> enqueue(Supplier<Future<Void>> step) {
    Future<Void> next = applied.transform(previous -> step.get());
    applied = next.recover(failed -> Future.succeededFuture());
    return next;
  }
}
