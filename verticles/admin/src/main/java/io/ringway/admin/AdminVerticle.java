package io.ringway.admin;

import io.ringway.admin.impl.BearerAuthHandler;
import io.ringway.admin.impl.ClusterStatsCollector;
import io.ringway.admin.impl.ClustersHandler;
import io.ringway.admin.impl.ConfigHandler;
import io.ringway.admin.impl.ConfigUpdateHandler;
import io.ringway.admin.impl.ConfigValidateHandler;
import io.ringway.admin.impl.DashboardAssets;
import io.ringway.admin.impl.DashboardFeed;
import io.ringway.admin.impl.DrainHandler;
import io.ringway.admin.impl.EndpointsHandler;
import io.ringway.admin.impl.EventLoops;
import io.ringway.admin.impl.ExactFieldNameDecoder;
import io.ringway.admin.impl.HealthHandler;
import io.ringway.admin.impl.ListenerPolicy;
import io.ringway.admin.impl.NodeInfoClient;
import io.ringway.admin.impl.NodeInfoHandler;
import io.ringway.admin.impl.NodeMeters;
import io.ringway.admin.impl.ReadyHandler;
import io.ringway.admin.impl.SameOriginGuard;
import io.ringway.admin.impl.StatsHandler;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The admin HTTP API: liveness, readiness, node info, stats (Prometheus), clusters, config and drain, and
 * the live dashboard on {@code /} that reads them.
 * It only wires routes to handlers, so an endpoint is one handler class and one line.
 */
public final class AdminVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(AdminVerticle.class.getName());
  /** Probes must answer quickly even when the node is wedged; a late answer is as bad as none. */
  private static final Duration NODE_INFO_TIMEOUT = Duration.ofSeconds(1);
  /** Writes go through the cluster map, which may be migrating partitions when a member just left. */
  private static final Duration CLUSTER_WRITE_TIMEOUT = Duration.ofSeconds(10);
  /** A scrape must answer even when an instance is stuck; its counters are then left out and flagged. */
  private static final Duration STATS_TIMEOUT = Duration.ofMillis(500);

  private final AdminConfig config;
  private HttpServer server;
  private NodeMeters meters;

  /** @param config the listener and token; validated by ringway-config */
  public AdminVerticle(AdminConfig config) {
    this.config = Objects.requireNonNull(config, "admin config");
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    String refusal = ListenerPolicy.refusal(config);
    if (refusal != null) {
      return Future.failedFuture(new VertxException("admin: " + refusal, true));
    }
    String where = config.host() + ":" + config.port();
    meters = new NodeMeters(vertx);
    StatsCollector stats = new StatsCollector(vertx, STATS_TIMEOUT);
    ClusterStatsCollector clusterStats = new ClusterStatsCollector(vertx, stats, STATS_TIMEOUT.multipliedBy(2));
    // Class-path reads (assets, transport plugins' service files) block: done once, off the loop.
    Future<DashboardAssets> assets = vertx.executeBlocking(DashboardAssets::load);
    Future<EventLoops> loops = vertx.executeBlocking(() -> EventLoops.load(vertx));
    // No h2c: the decoder is replaced before the connection reads (with h2c, Vert.x hands it over inside a read).
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false);
    return Future.all(clusterStats.serve(), assets, loops).compose(ready -> vertx.createHttpServer(options)
        .connectionHandler(connection -> ExactFieldNameDecoder.install(connection, options))
        .requestHandler(router(stats, clusterStats, assets.result(), loops.result()))
        .listen(config.port(), config.host())
        .recover(cause -> Future.failedFuture(
            new VertxException("admin: cannot listen on " + where + ": " + cause.getMessage(), cause))))
        .onSuccess(listening -> {
          server = listening;
          LOG.log(Level.INFO, "admin: listening on {0}{1}", where, config.token() == null ? "" : " (bearer token required)");
        });
  }

  @Override
  public Future<?> stop() {
    if (meters != null) {
      meters.close();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router router(StatsCollector stats, ClusterStatsCollector clusterStats, DashboardAssets assets, EventLoops loops) {
    ConfigHandler configHandler = new ConfigHandler(vertx.eventBus(), NODE_INFO_TIMEOUT);
    NodeInfoClient node = new NodeInfoClient(vertx.eventBus(), NODE_INFO_TIMEOUT);
    Router router = Router.router(vertx);
    // Probes stay open: a kubelet or load balancer cannot hold the token, and they tell only up/ready.
    router.get("/healthz").handler(new HealthHandler());
    router.get("/ready").handler(new ReadyHandler(node));
    if (config.token() != null) {
      // Before every other route, so an unauthenticated caller learns nothing else, not even which paths exist.
      router.route().handler(new BearerAuthHandler(config.token()));
    }
    // on each route that changes something, not on all: a catch-all route would turn every 405 into a 404;
    // after the body handlers, which Vert.x Web wants first
    SameOriginGuard sameOrigin = new SameOriginGuard();
    DashboardFeed feed = new DashboardFeed(vertx, node, configHandler, stats, clusterStats, loops, Clock.systemUTC());
    router.get("/").handler(assets);
    router.get("/dashboard/events").handler(feed::events);
    router.get("/dashboard/state").handler(feed::state);
    router.get("/dashboard/:file").handler(assets);
    router.get("/info").handler(new NodeInfoHandler(node, stats, Clock.systemUTC()));
    router.get("/stats").handler(new StatsHandler(stats, clusterStats, meters.registry()));
    router.get("/clusters").handler(new ClustersHandler(configHandler, stats));
    router.get("/config").handler(configHandler);
    router.post("/drain").handler(sameOrigin).handler(new DrainHandler(vertx.eventBus(), NODE_INFO_TIMEOUT));
    router.post("/endpoints/:cluster").handler(BodyHandler.create(false).setBodyLimit(64 * 1024)).handler(sameOrigin)
        .handler(new EndpointsHandler(vertx.eventBus(), CLUSTER_WRITE_TIMEOUT));
    router.post("/config/validate").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024)).handler(sameOrigin)
        .handler(new ConfigValidateHandler(vertx.eventBus(), CLUSTER_WRITE_TIMEOUT));
    router.put("/config").handler(BodyHandler.create(false).setBodyLimit(1024 * 1024)).handler(sameOrigin)
        .handler(new ConfigUpdateHandler(vertx.eventBus(), config.token() != null, CLUSTER_WRITE_TIMEOUT));
    return router;
  }
}
