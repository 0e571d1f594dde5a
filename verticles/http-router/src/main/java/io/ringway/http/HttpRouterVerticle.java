package io.ringway.http;

import io.ringway.http.impl.RouterInstance;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.DrainOrder;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.StatsRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The L7 router on one event loop: listens on every {@code http.listeners} entry, matches each request
 * against {@code http.routes} (first match wins) and forwards it to a cluster, redirects, answers
 * directly, or calls an event-bus service. Deployed once per event loop; each instance has its own
 * clusters, upstream connection pools and counters, and a request and its upstream connection live on
 * the loop that accepted the client.
 *
 * <p>Built on Vert.x's {@code HttpServer}/{@code HttpClient} rather than {@code vertx-http-proxy}: see
 * this module's README for why.
 *
 * <p><b>Stats contract</b> ({@link Addresses#STATS_COLLECT}), the TCP proxy's: every instance has a
 * local consumer; a collector publishes a {@link StatsRequest} and each instance sends its
 * {@link InstanceStats} to its {@code replyTo} ({@code instances} says how many to expect); a plain
 * request gets one instance's. In their JSON form:
 * <pre>{"verticle":"http-router", "instance":"http-router-3", "instances":4, "thread":.., "configVersion":7,
 *  "draining":false, "inFlight":.. (routed requests not answered yet; WebSocket tunnels not included),
 *  "listeners":[{"listener":"web", "host":.., "port":.., "tls":false, "connections":.., "requests":.., "noRoute":..,
 *                "badRequests":.., "headerTooLarge":.., "uriTooLong":.., "bodyTooLarge":.., "headerTimeouts":..,
 *                "refusedStreams":.., "streamErrors":.., "openConnections":.. (gauge), "unreadConnections":.. (gauge:
 *                accepted, nothing read yet, no Vert.x connection), "drainConnectionClose":.., ..}],
 *  "routes":[{"route":"api", "requests":.., "1xx":..,"2xx":..,"3xx":..,"4xx":..,"5xx":.., "aborted":..,
 *             "latencyMs":[{"le":1,"count":..},..,{"le":-1,"count":..}], "retries":.., "retryBudgetExhausted":..,
 *             "timeouts":.., "overloaded":.., "upgrades":.., "inFlight":.., "retriesInFlight":..}],
 *  "clusters":[ClusterStats.toJson() + "healthChecker" + "httpRequests","httpFailures","httpTryTimeouts","httpLeftToClientRetry",
 *              "httpGatewayErrors","httpBadResponses","httpUpstreamResets", "httpResponses":{"1xx"..,"5xx", "aborted", "latencyMs"}],
 *  "accessLog":{"path":.., "logged":.., "dropped":..} or null}</pre>
 * Counters are per instance and only grow; sum them over instances. {@code le:-1} is the overflow bucket;
 * {@code aborted} counts requests whose client went away before the response ended (not in the histogram).
 * A cluster's {@code httpResponses} are the responses it gave that were relayed, not the router's own 503/504.
 */
public final class HttpRouterVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(HttpRouterVerticle.class.getName());

  private final ConfigSnapshot snapshot;
  private RouterInstance instance;

  /** @param snapshot the config in force at deployment; later ones arrive on {@link Addresses#CONFIG_APPLIED} */
  public HttpRouterVerticle(ConfigSnapshot snapshot) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    instance = new RouterInstance(vertx, context);
    List<MessageConsumer<Object>> consumers = List.of(
        vertx.eventBus().localConsumer(Addresses.CONFIG_APPLIED, this::onConfig),
        vertx.eventBus().localConsumer(Addresses.STATS_COLLECT,
            message -> StatsRequest.answer(vertx, message, instance.stats())),
        vertx.eventBus().localConsumer(Addresses.DRAIN, this::onDrain));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(registered -> instance.start(snapshot));
  }

  @Override
  public Future<?> stop() {
    return instance == null ? Future.succeededFuture() : instance.close();
  }

  /** The port this instance's listener bound (useful with port 0), or -1 when it has no such listener. */
  public int actualPort(String listener) {
    return instance == null ? -1 : instance.actualPort(listener);
  }

  private void onConfig(Message<Object> message) {
    if (message.body() instanceof ConfigSnapshot next) {
      instance.reload(next).onFailure(e -> LOG.log(Level.ERROR, "http-router: config " + next.version()
          + " applied with errors: " + e.getMessage()));
    } else {
      LOG.log(Level.WARNING, "http-router: ignored a config message that is not a local ConfigSnapshot");
    }
  }

  private void onDrain(Message<Object> message) {
    Duration grace = message.body() instanceof DrainOrder order
        ? Duration.between(Instant.now(), order.deadline())
        : Duration.ZERO;
    instance.drain(grace);
  }

}
