package io.ringway.admin;

import io.ringway.admin.impl.BearerAuthHandler;
import io.ringway.admin.impl.HealthHandler;
import io.ringway.admin.impl.ListenerPolicy;
import io.ringway.admin.impl.NodeInfoClient;
import io.ringway.admin.impl.NodeInfoHandler;
import io.ringway.admin.impl.ReadyHandler;
import io.ringway.spi.LocalCodec;
import io.ringway.spi.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The admin HTTP API: liveness, readiness and node info. It only wires routes to handlers, so the
 * control-plane endpoints to come ({@code /stats}, {@code /clusters}, {@code /config},
 * {@code POST /drain}) are one handler class and one line each.
 */
public final class AdminVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(AdminVerticle.class.getName());
  /** Probes must answer quickly even when the node is wedged; a late answer is as bad as none. */
  private static final Duration NODE_INFO_TIMEOUT = Duration.ofSeconds(1);

  private final AdminConfig config;
  private HttpServer server;

  /** @param config the listener and token; validated by ringway-config */
  public AdminVerticle(AdminConfig config) {
    this.config = Objects.requireNonNull(config, "admin config");
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    String refusal = ListenerPolicy.refusal(config);
    if (refusal != null) {
      return Future.failedFuture(new VertxException("admin: " + refusal, true));
    }
    String where = config.host() + ":" + config.port();
    return vertx.createHttpServer()
        .requestHandler(router())
        .listen(config.port(), config.host())
        .recover(cause -> Future.failedFuture(
            new VertxException("admin: cannot listen on " + where + ": " + cause.getMessage(), cause)))
        .onSuccess(listening -> {
          server = listening;
          LOG.log(Level.INFO, "admin: listening on {0}{1}", where, config.token() == null ? "" : " (bearer token required)");
        });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private Router router() {
    NodeInfoClient node = new NodeInfoClient(vertx.eventBus(), NODE_INFO_TIMEOUT);
    Router router = Router.router(vertx);
    if (config.token() != null) {
      // First route, so an unauthenticated caller learns nothing, not even which paths exist.
      router.route().handler(new BearerAuthHandler(config.token()));
    }
    router.get("/healthz").handler(new HealthHandler());
    router.get("/ready").handler(new ReadyHandler(node));
    router.get("/info").handler(new NodeInfoHandler(node, Clock.systemUTC()));
    return router;
  }
}
