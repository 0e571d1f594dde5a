package io.ringway.tcp;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.spi.message.StatsRequest;
import io.ringway.tcp.impl.ProxyInstance;
import io.ringway.tcp.impl.Tunables;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;

/**
 * The L4 proxy on one event loop: listens on every {@code tcp.listeners} entry and forwards each
 * connection to its cluster. Deployed once per event loop; each instance has its own clusters and
 * counters, and both sockets of a connection live on the loop that accepted it.
 *
 * <p>Vert.x 5.0 binds one listening socket per address and process, whatever
 * {@code setReusePort} says: the first instance binds it, the others register with it, and its
 * acceptor hands each accepted connection to one instance's loop in turn. The connection stays on
 * that loop for life, and the upstream connect runs there too.
 *
 * <p><b>Stats contract</b> ({@link Addresses#STATS_COLLECT}): every instance has a <em>local</em>
 * consumer on it, so a point-to-point request would reach only one of them. A collector therefore
 * publishes a {@link StatsRequest} and every instance sends its {@link InstanceStats} to its
 * {@code replyTo}; they say how many instances to expect ({@code instances}), so the collector knows
 * when it has all. A plain request (any other body) gets one instance's as the reply. In their JSON form:
 * <pre>{"verticle":"tcp-proxy", "instance":"tcp-proxy-3", "instances":4, "thread":"vert.x-eventloop-thread-2",
 *  "configVersion":7, "draining":false, "inFlight":12 (open connections),
 *  "listeners":[{"listener":"l4", "host":.., "port":.., "cluster":.., "active":.., "connections":.. (ever),
 *                "bytesIn":.., "bytesOut":.., "limitHits":.., "proxyProtocolRejects":.., "untrustedSources":..,
 *                "idleTimeouts":.., "connectFailures":.., "noUpstream":.., "resets":.., "errors":..}],
 *  "clusters":[ClusterStats.toJson() + "healthChecker": whether this instance runs its check]}</pre>
 * Counters are per instance and only grow (but {@code active}); sum them over instances.
 */
public final class TcpProxyVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(TcpProxyVerticle.class.getName());

  private final ConfigSnapshot snapshot;
  private final Tunables tunables;
  private ProxyInstance instance;

  /** @param snapshot the config in force at deployment; later ones arrive on {@link Addresses#CONFIG_APPLIED} */
  public TcpProxyVerticle(ConfigSnapshot snapshot) {
    this(snapshot, Tunables.defaults());
  }

  /** With settings config does not expose; tests use it to shorten timeouts and watch connections. */
  public TcpProxyVerticle(ConfigSnapshot snapshot, Tunables tunables) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.tunables = Objects.requireNonNull(tunables, "tunables");
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    instance = new ProxyInstance(vertx, context, tunables);
    List<MessageConsumer<Object>> consumers = List.of(
        vertx.eventBus().localConsumer(Addresses.CONFIG_APPLIED, this::onConfig),
        vertx.eventBus().localConsumer(Addresses.DRAIN, drain -> instance.drain()),
        vertx.eventBus().localConsumer(Addresses.STATS_COLLECT,
            message -> StatsRequest.answer(vertx, message, instance.stats())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(registered -> instance.start(snapshot));
  }

  @Override
  public Future<?> stop() {
    return instance == null ? Future.succeededFuture() : instance.close();
  }

  private void onConfig(Message<Object> message) {
    if (message.body() instanceof ConfigSnapshot next) {
      instance.reload(next).onFailure(e -> LOG.log(Level.ERROR, "tcp-proxy: config " + next.version()
          + " applied with errors: " + e.getMessage()));
    } else {
      LOG.log(Level.WARNING, "tcp-proxy: ignored a config message that is not a local ConfigSnapshot");
    }
  }

}
