package io.ringway.tcp.impl;

import io.ringway.spi.AcceptedChannels;

import io.ringway.spi.config.TcpListenerConfig;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * One listener on one instance: a Vert.x server on the listener's address, turning each accepted
 * socket into a {@link ProxyConnection}. Every instance listens on the same address; Vert.x binds
 * one socket per address and process and hands each accepted connection to one listening instance's
 * loop, where it stays (see {@code TcpProxyVerticle}).
 */
final class Listener {

  private static final System.Logger LOG = System.getLogger(Listener.class.getName());
  /**
   * Grace Vert.x gives a stopped server's connections before closing them. We want none: they end
   * on their own, or at undeploy. Finite, as Vert.x sets a timer for it.
   */
  private static final long KEEP_CONNECTIONS_DAYS = 365;

  private final ProxyLoop loop;
  private final ListenerStats stats;
  private final NodeShared.Gauge gauge;
  private TcpListenerConfig config;
  private CidrSet trusted;
  private NetServer server;
  /** {@code maxConnectionsPerSecond}'s bucket on this loop: this loop's share, one second of it at most. */
  private double tokens = -1;
  private long refilledNanos;

  Listener(ProxyLoop loop, TcpListenerConfig config, ListenerStats stats, NodeShared.Gauge gauge) {
    this.loop = loop;
    this.stats = stats;
    this.gauge = gauge;
    update(config);
  }

  TcpListenerConfig config() {
    return config;
  }

  /** Takes a changed config with the same address; connections already open keep the one they started with. */
  void update(TcpListenerConfig next) {
    trusted = CidrSet.parse(next.trustedSources());
    config = next;
  }

  boolean sameAddress(TcpListenerConfig other) {
    return config.host().equals(other.host()) && config.port() == other.port();
  }

  Future<Void> listen() {
    NetServerOptions options = new NetServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setTcpNoDelay(true)
        // Lets a new socket bind beside one still closing on a rebind, and another process (a
        // restarted node) bind while this one drains. Within one process Vert.x shares one socket.
        .setReusePort(true)
        .setReuseAddress(true);
    server = loop.vertx.createNetServer(options).connectHandler(this::accept);
    return server.listen().<Void>mapEmpty().recover(cause -> Future.failedFuture(new VertxException(
        "tcp listener " + config.name() + ": cannot listen on " + config.host() + ":" + config.port() + ": "
            + cause.getMessage(), cause)));
  }

  /** Closes the listening socket (once every instance has); established connections carry on. */
  void stopAccepting() {
    NetServer stopping = server;
    server = null;
    if (stopping != null) {
      stopping.shutdown(KEEP_CONNECTIONS_DAYS, TimeUnit.DAYS)
          .onFailure(e -> LOG.log(Level.WARNING, "tcp listener " + config.name() + ": shutdown failed", e));
    }
  }

  /**
   * Drain: closes the listening socket, for every instance on the port, before Vert.x drops this instance's
   * handler; in between, Vert.x would close each connection it accepted unanswered.
   */
  void unbindAndStopAccepting() {
    NetServer stopping = server;
    if (stopping == null) {
      return;
    }
    Future.fromCompletionStage(AcceptedChannels.stopListening(stopping.actualPort()),
        loop.vertx.getOrCreateContext())
        .onComplete(unbound -> stopAccepting());
  }

  private void accept(NetSocket socket) {
    stats.total++;
    if (config.maxConnectionsPerSecond() > 0 && !takeToken()) {
      stats.rateLimited++;
      SocketOps.reset((NetSocketInternal) socket);
      return;
    }
    if (!gauge.tryAcquire(config.maxConnections())) {
      stats.limitHits++;
      // Reset, not FIN: refusing under overload should leave no TIME_WAIT behind on the proxy.
      SocketOps.reset((NetSocketInternal) socket);
      return;
    }
    stats.active++;
    new ProxyConnection(loop, config, stats, gauge, (NetSocketInternal) socket).start(trusted);
  }

  /**
   * A token of this loop's share of {@code maxConnectionsPerSecond}: connections spread over the loops' sockets,
   * so each takes rate / loops, refilled continuously, with one second's worth as its burst.
   */
  private boolean takeToken() {
    double rate = (double) config.maxConnectionsPerSecond() / loop.instances;
    double burst = Math.max(1, rate);
    long now = System.nanoTime();
    tokens = tokens < 0 ? burst : Math.min(burst, tokens + (now - refilledNanos) * rate / 1e9);
    refilledNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
