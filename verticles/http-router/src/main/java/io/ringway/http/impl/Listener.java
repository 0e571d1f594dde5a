package io.ringway.http.impl;

import io.netty.channel.EventLoop;
import io.ringway.spi.AcceptLimits;
import io.ringway.spi.AcceptedChannels;
import io.ringway.spi.config.HttpListenerConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener on this instance's loop: its server, limits, guard and counters. With TLS it offers
 * h2 and http/1.1 through ALPN; its PEM files are read and parsed on a worker thread before the
 * listener exists ({@link ListenerTls}), so a file that went bad since validation fails the new listener,
 * not the loop.
 */
final class Listener {

  private static final System.Logger LOG = System.getLogger(Listener.class.getName());

  final HttpListenerConfig config;
  final ListenerStats stats;
  private final ConnectionGuard guard;
  private final ListenerDrain drain;
  private final HttpServer server;
  private final HttpServerOptions options;
  private final Vertx vertx;
  /** TLS material, counters and file watch; null on a cleartext listener. */
  private final ListenerTls tls;
  /** Set when the server's shutdown completed: every connection it accepted is closed. */
  private volatile boolean closed;
  /** The h2c listener's hook on accepted connections; null when it has none. */
  private AcceptedChannels.Registration acceptHook;
  /** Connections that have sent nothing yet, kept from Vert.x; null on TLS listeners and those on port 0. */
  private UnreadConnections unread;
  /** Idle keep-alive connections between two requests ({@link KeepAliveParking}); null when none park. */
  private UnreadConnections parked;
  private AcceptedChannels.Registration deferral;
  /** This listener's {@code maxConnections} on its port; null until it listens. */
  private AcceptLimits.Limit limit;
  /** What the byte-level path routes with; null on a TLS listener. */
  private ByteLevelHttp1.Routing byteLevelRouting;
  /** The byte-level HTTP/1 path ({@code byteLevelHttp1}); null when off. */
  private ByteLevelHttp1 byteLevel;
  /** {@code maxConnections} in force: the config's, or what {@code auto} made of the open-file limit. */
  private final int maxConnections;

  /** Loads the listener's TLS material, if any, off the loop; the listener is not listening yet. */
  static Future<Listener> create(Vertx vertx, HttpListenerConfig config, ListenerStats stats,
                                 Handler<RoutedRequest> handler, Handler<HttpServerRequest> refused,
                                 ByteLevelHttp1.Routing byteLevelRouting) {
    if (config.tls() == null) {
      Listener listener = new Listener(vertx, config, null, stats, handler, refused);
      listener.byteLevelRouting = byteLevelRouting;
      return Future.succeededFuture(listener);
    }
    return ListenerTls.load(vertx, config.name(), config.tls(), config.headerReadTimeout().toMillis())
        .map(tls -> new Listener(vertx, config, tls, stats, handler, refused))
        .recover(cause -> Future.failedFuture(new VertxException("http-router: listener " + config.name()
            + " cannot load its TLS files " + String.join(", ", config.tls().files()) + ": " + cause.getMessage(),
            cause)));
  }

  /**
   * @param handler every request that parsed
   * @param refused every request the decoder refused, told before the guard answers it (400/414/431)
   */
  private Listener(Vertx vertx, HttpListenerConfig config, ListenerTls tls, ListenerStats stats,
                   Handler<RoutedRequest> handler, Handler<HttpServerRequest> refused) {
    this.vertx = vertx;
    this.tls = tls;
    this.config = config;
    this.stats = stats;
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        // Vert.x shares one listening socket per address among instances; reuse-port lets a restart rebind at once.
        .setReusePort(true)
        .setTcpNoDelay(true)
        .setHttp2ClearTextEnabled(config.h2c())
        .setMaxHeaderSize(config.maxHeaderBytes())
        .setMaxInitialLineLength(Math.min(config.maxHeaderBytes(), 8192))
        .setIdleTimeout((int) config.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // 100 Continue only once the request was routed and is about to be read (ProxyExchange, EventBusExchange):
        // Vert.x's automatic one goes out before the head is validated, and before a 413 or a 404 could.
        .setHandle100ContinueAutomatically(false)
        // Every response is written on this listener's loop (upstream clients and event-bus replies run on the
        // verticle's context), so an HTTP/1 connection writes straight to Netty instead of through an MPSC queue
        // that Vert.x allocates per connection for writes from other threads (a 1,024-slot array: ~4.7 KB of
        // each idle keep-alive connection's heap). A write from another thread would now throw.
        .setStrictThreadMode(true)
        // The router accepts no WebSocket itself: an upgrade is tunnelled (UpgradeExchange), its extensions
        // negotiated by the client and the endpoint. Offered, Vert.x builds two compression handshakers and an
        // extension handler for every HTTP/1 connection (~300 bytes of each idle keep-alive one), all unused.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Vert.x's default is no limit (2^32-1 streams per connection).
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(config.maxConcurrentStreams()));
    if (tls != null) {
      // The handshake gets the head's deadline (set by ListenerTls).
      tls.configure(options);
    }
    this.options = options;
    this.maxConnections = config.maxConnections() == HttpListenerConfig.AUTO_MAX_CONNECTIONS
        ? AcceptLimits.maxConnectionsForOpenFileLimit() : config.maxConnections();
    this.guard = new ConnectionGuard(options, config.headerReadTimeout().toMillis(), stats,
        new RequestPaths(config.mergeSlashes(), stats));
    this.drain = new ListenerDrain(stats, options.getIdleTimeout());
    this.server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          guard.onConnection(connection);
          drain.install(connection);
        })
        .invalidRequestHandler(request -> {
          refused.handle(request);
          guard.onInvalidRequest(request);
        })
        .requestHandler(request -> {
          if (Http1Drain.readBehindLastResponse(request)) {
            // The connection closes once its last response is out; this request is not forwarded, as nginx's is not.
            return;
          }
          stats.requests++;
          guard.onRequest(request);
          handler.handle(new RoutedRequest(request, this));
        });
    if (tls != null) {
      // Vert.x reports a connection whose handshake failed here, and only here.
      server.exceptionHandler(tls::onHandshakeFailure);
    }
  }

  Future<Listener> listen() {
    EventLoop loop = ((ContextInternal) vertx.getOrCreateContext()).nettyEventLoop();
    // Hooks go in before listening, so no connection is accepted without them (port 0 is only known after:
    // tests pick ports).
    if (config.h2c() && !options.isSsl() && config.port() > 0) {
      acceptHook = AcceptedChannels.register(config.port(), loop, guard::onAccepted);
    }
    if (!options.isSsl() && config.port() > 0) {
      // A TLS connection's first bytes are its handshake, which Vert.x's pipeline must see: not deferred.
      unread = new UnreadConnections(loop, stats, config.headerReadTimeout().toMillis(),
          options.getIdleTimeout());
      guard.acceptedAt(unread::acceptedAt);
      parked = UnreadConnections.parked(loop, stats, options.getIdleTimeout());
      if (config.byteLevelHttp1() && byteLevelRouting != null) {
        byteLevel = new ByteLevelHttp1(config, stats, byteLevelRouting);
        unread.byteLevel(byteLevel);
        parked.byteLevel(byteLevel);
      }
      if (!config.idleParkAfter().isZero()) {
        drain.parkIdleConnections(new KeepAliveParking(unread, parked, stats, config.h2c()), config.idleParkAfter());
      }
      deferral = AcceptedChannels.defer(config.port(), loop, unread);
    } else if (options.isSsl() && !config.idleParkAfter().isZero()) {
      parked = UnreadConnections.parkedBehindTls(loop, stats, options.getIdleTimeout());
      drain.parkIdleConnections(new KeepAliveParking(new TlsWake(server), parked, stats), config.idleParkAfter());
    }
    Future<HttpServer> listening = server.listen();
    if (options.isSsl()) {
      // Vert.x serves an address through the first server bound there, with that server's TLS context: a
      // listener that joins it (another loop's, or this one's replacement) hands over its own material.
      listening = listening.compose(bound -> ListenerTls.updateSslOptions(vertx, server, tls.sslOptions()).map(bound))
          .onSuccess(bound -> {
            tls.watch(vertx, server);
            LOG.log(System.Logger.Level.INFO, "http-router: listener " + config.name() + " terminates TLS on engine "
                + tls.engine + (tls.engine.equals("openssl") ? " (BoringSSL)" : " (the JDK's)"));
          });
    }
    // After binding, as a test's port 0 is only known then; whatever was accepted before counts all the same.
    listening = listening.onSuccess(bound -> limit = AcceptLimits.limit(bound.actualPort(), loop, maxConnections));
    return listening.map(this).recover(cause -> Future.failedFuture(new VertxException(
        "http-router: listener " + config.name() + " cannot listen on " + config.host() + ":" + config.port()
            + ": " + cause.getMessage(), cause)));
  }

  /** The port bound; differs from config when config says 0. */
  int actualPort() {
    return server.actualPort();
  }

  /**
   * Stops accepting at once and drains the open connections ({@link ListenerDrain}): in-flight requests
   * finish, idle keep-alive connections close spread over {@code closeSpread}; whatever is still open
   * after {@code grace} is closed. Completes when all are closed.
   *
   * @param unbind whether to close the listening socket first, for every instance on the port: on drain,
   *     not when a replacement listener shares the socket
   */
  Future<Void> close(Duration grace, Duration closeSpread, boolean unbind) {
    if (tls != null) {
      tls.stopWatching(vertx);
    }
    drain.start(grace, closeSpread);
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    // The socket first (shared by every instance on this port): Vert.x would drop this instance's handler
    // first and close what is accepted in between unanswered. Back on this loop, connections accepted before
    // the close were already handed to it.
    Future<Void> unbound = unbind
        ? Future.fromCompletionStage(AcceptedChannels.stopListening(actualPort()), context)
        : Future.succeededFuture();
    // Vert.x then sends each connection the shutdown event, which the drain handlers take; it completes once
    // all the connections it accepted are closed, those still before their first request (TLS handshake, h2c
    // sniffing) included.
    return unbound.compose(ignored -> {
      if (unread != null) {
        // Into Vert.x's server while it still takes them, so its shutdown drains (and at the grace closes) them.
        deferral.close();
        unread.handOverAll();
      }
      if (parked != null) {
        // Back to the server while it still takes them: a request on one now is answered, with connection: close.
        parked.handOverAll(channel -> KeepAliveParking.closeIfStillIdle(channel, drain.spreadDelayMillis(), stats));
      }
      if (byteLevel != null) {
        // Not Vert.x's connections: they close after their response in flight, and whatever is left at the grace.
        byteLevel.drain(drain);
        vertx.setTimer(Math.max(1, grace.toMillis()), id -> byteLevel.closeAll());
      }
      if (acceptHook != null) {
        // After the unbind: a connection accepted before it still gets the strict h2c sniffer.
        acceptHook.close();
      }
      closeLimit();
      return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    }).onComplete(done -> closed = true);
  }

  /** Closes the listener and every connection now. */
  Future<Void> closeNow() {
    if (tls != null) {
      tls.stopWatching(vertx);
    }
    if (unread != null) {
      deferral.close();
      unread.closeAll();
    }
    if (parked != null) {
      parked.closeAll();
    }
    if (byteLevel != null) {
      byteLevel.closeAll();
    }
    if (acceptHook != null) {
      acceptHook.close();
    }
    closeLimit();
    return server.shutdown(0, TimeUnit.MILLISECONDS);
  }

  /** Lifts this listener's cap, unless a replacement on the same port set its own since. */
  private void closeLimit() {
    if (limit != null) {
      limit.close();
    }
  }

  /**
   * Connections still open on this stopped listener; at least 1 until its shutdown completed: one still
   * before its first request is no Vert.x connection yet, and killing it would cut the request on its way.
   */
  long openConnectionsWhileClosing() {
    return closed && (byteLevel == null || byteLevel.connections() == 0) ? 0 : Math.max(stats.openConnections, 1);
  }

  JsonObject statsJson() {
    return stats.toJson().put("listener", config.name()).put("host", config.host()).put("port", config.port())
        .put("maxConnections", maxConnections)
        .put("acceptPauses", limit == null ? 0 : limit.pauses())
        .put("acceptErrors", limit == null ? 0 : limit.acceptErrors())
        .put("acceptPaused", limit != null && limit.paused())
        .put("tls", tls == null ? (Object) false : tls.statsJson());
  }

  /** Checks the TLS files now, as the watch would: a config reload that kept this listener's config. */
  void reloadTlsIfChanged() {
    if (tls != null) {
      tls.reloadIfChanged(vertx, server);
    }
  }

  /** The verified client certificate's header value for this request's connection, or null. */
  String clientIdentity(HttpServerRequest request) {
    return tls == null ? null : tls.clientIdentity(request.connection());
  }

  /** A request and the listener that took it. */
  record RoutedRequest(HttpServerRequest request, Listener listener) {
  }
}
