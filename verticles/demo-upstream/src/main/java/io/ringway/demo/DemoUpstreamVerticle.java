package io.ringway.demo;

import io.ringway.demo.impl.DemoHttpHandler;
import io.ringway.demo.impl.EventBusEcho;
import io.ringway.demo.impl.TcpEcho;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.message.MessageCodecs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in backends that let the default config run alone: an HTTP greeter and echo (with a WebSocket
 * echo on {@code /ws}), a raw TCP echo, and an event-bus echo service on {@value #ECHO_ADDRESS} for
 * {@code target: eventbus:} routes. Every instance listens on the same ports; Vert.x shares one listening
 * socket between the instances of a process and hands each accepted connection to one instance's event
 * loop. Every instance also consumes the echo address, and the event bus takes turns between them.
 */
public final class DemoUpstreamVerticle extends VerticleBase {

  /** Where the event-bus echo service listens: a route {@code target: eventbus:ringway.demo.echo} echoes. */
  public static final String ECHO_ADDRESS = "ringway.demo.echo";

  private final DemoUpstreamConfig config;
  private final AtomicLong accepted = new AtomicLong();
  private HttpServer http;
  private NetServer tcp;
  private MessageConsumer<Object> echo;

  /** @param config the backends' address and node name; validated by ringway-config */
  public DemoUpstreamVerticle(DemoUpstreamConfig config) {
    this.config = Objects.requireNonNull(config, "demoUpstream config");
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    Future<HttpServer> httpListening = listenHttp().onSuccess(server -> http = server);
    Future<NetServer> tcpListening = listenTcp().onSuccess(server -> tcp = server);
    echo = vertx.eventBus().consumer(ECHO_ADDRESS, new EventBusEcho());
    // If one fails, Vert.x closes the others with the failed deployment.
    return Future.all(httpListening, tcpListening, echo.completion());
  }

  @Override
  public Future<?> stop() {
    return Future.join(http == null ? Future.succeededFuture() : http.close(),
        tcp == null ? Future.succeededFuture() : tcp.close(),
        echo == null ? Future.succeededFuture() : echo.unregister());
  }

  /** Connections this instance accepted on either port: shows which event loops take traffic. */
  long acceptedConnections() {
    return accepted.get();
  }

  private Future<HttpServer> listenHttp() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.httpPort())
        // h2c with prior knowledge and by upgrade, beside HTTP/1.1 on the same port (the default,
        // stated because the proxy's HTTP/2 tests depend on it).
        .setHttp2ClearTextEnabled(true)
        // curl sends "Expect: 100-continue" for large uploads and waits a second without it.
        .setHandle100ContinueAutomatically(true);
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> accepted.incrementAndGet())
        .requestHandler(new DemoHttpHandler(config.node()))
        .listen()
        .recover(cause -> cannotListen("HTTP", config.httpPort(), cause));
  }

  private Future<NetServer> listenTcp() {
    NetServerOptions options = new NetServerOptions().setHost(config.host()).setPort(config.tcpPort());
    TcpEcho echo = new TcpEcho();
    return vertx.createNetServer(options)
        .connectHandler(socket -> {
          accepted.incrementAndGet();
          echo.handle(socket);
        })
        .listen()
        .recover(cause -> cannotListen("TCP echo", config.tcpPort(), cause));
  }

  private <T> Future<T> cannotListen(String what, int port, Throwable cause) {
    return Future.failedFuture(new VertxException("demo-upstream: cannot listen on " + config.host() + ":" + port
        + " (" + what + "): " + cause.getMessage(), cause));
  }
}
