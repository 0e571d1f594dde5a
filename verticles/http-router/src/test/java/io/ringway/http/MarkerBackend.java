package io.ringway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one upstream all three proxies forward to. It answers every request it reads to the end with 200 and
 * {@value #MARKER}, so a client can tell a forwarded request from a proxy's own answer, and counts heads seen and
 * requests completed so a forward whose answer never reached the client still counts. Counts are kept per source
 * address: each proxy connects from its own loopback address, so a forward that arrives late (after the client
 * gave up) is still charged to the proxy that made it.
 *
 * <p>It is a Vert.x 5.0.10 server, whose decoder reads a field named like Content-Length with another ninth byte
 * ("Content-Nength") as a Content-Length ({@code StrictnessTest#aFieldNamedLikeContentLengthIsNotOne}, fixed for the
 * router in {@code StrictRequestDecoder}): nginx and HAProxy forward such a field as it is, this backend then waits for
 * a body that never comes, and they show as HELD in those cases.
 */
final class MarkerBackend implements AutoCloseable {

  static final String MARKER = "x-fuzz-backend";

  /** Heads seen and requests completed from one source address. */
  record Counts(AtomicInteger seen, AtomicInteger completed) {
  }

  private final Map<String, Counts> bySource = new ConcurrentHashMap<>();
  final int port;
  private final HttpServer server;

  MarkerBackend(Vertx vertx) throws Exception {
    // h2c off: HAProxy passes "Upgrade: h2c" through, and the backend switching protocols would be its own answer.
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setHandle100ContinueAutomatically(true);
    this.server = vertx.createHttpServer(options).requestHandler(this::handle).invalidRequestHandler(this::invalid)
        .listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    this.port = server.actualPort();
  }

  io.ringway.spi.upstream.Endpoint endpoint() {
    return io.ringway.spi.upstream.Endpoint.of(RouterFixture.HOST, port);
  }

  Counts from(String source) {
    return bySource.computeIfAbsent(source, s -> new Counts(new AtomicInteger(), new AtomicInteger()));
  }

  private Counts from(HttpServerRequest request) {
    return from(request.remoteAddress().hostAddress());
  }

  private void handle(HttpServerRequest request) {
    Counts counts = from(request);
    counts.seen().incrementAndGet();
    request.exceptionHandler(failure -> { });
    // After the body: a proxy that forwards the head and then gives up on a bad body must not look like a forward.
    request.end().onSuccess(v -> {
      counts.completed().incrementAndGet();
      request.response().putHeader(MARKER, "seen").end("ok");
    });
  }

  /** What this backend's own parser refused still reached it: that is a forward, so it is marked like one. */
  private void invalid(HttpServerRequest request) {
    Counts counts = from(request);
    counts.seen().incrementAndGet();
    counts.completed().incrementAndGet();
    request.response().putHeader(MARKER, "seen").putHeader("connection", "close").end("ok");
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
