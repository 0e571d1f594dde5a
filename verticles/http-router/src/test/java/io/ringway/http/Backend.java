package io.ringway.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.ringway.spi.upstream.Endpoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test upstream that counts every request head it sees: {@code /echo} streams the body back,
 * {@code /headers} answers the headers it got as JSON, {@code /fail/<name>} reads the body, then answers 503 from the
 * backend of that name and echoes the body from the others, {@code /slow} never answers, {@code /status/N}
 * answers N, {@code /refuse/<name>} is refused (HTTP/2 REFUSED_STREAM) by the backend of that name and
 * answered by the others, {@code /partial} sends one chunk and then drops the connection, {@code /big} streams
 * {@link #BIG_BODY} bytes under backpressure, {@code /hold} is answered with the backend's name when the test says
 * ({@link #answerHeld}), anything else names the backend.
 */
final class Backend implements AutoCloseable {

  static final int BIG_BODY = 32 * 1024 * 1024;
  static final long REFUSED_STREAM = 0x7;
  static final String PARTIAL_CHUNK = "first-and-last-chunk";

  final String name;
  final AtomicInteger seen = new AtomicInteger();
  /** The request-target of every head seen, in order: for tests that must tell which request arrived. */
  final java.util.Queue<String> uris = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Requests this backend received to their end: one it saw only in part (reset mid-body) never counts. */
  final AtomicInteger completed = new AtomicInteger();
  /** Connections accepted: for tests of how a proxy reuses its upstream connections. */
  final AtomicInteger connections = new AtomicInteger();
  final int port;
  private final HttpServer server;
  private final java.util.Queue<HttpServerResponse> held = new java.util.concurrent.ConcurrentLinkedQueue<>();

  Backend(Vertx vertx, String name) throws Exception {
    this.name = name;
    // Port 0: two backends asking Ports for a port can get the same one, and Vert.x would then share it.
    this.server = vertx.createHttpServer().requestHandler(this::handle)
        .connectionHandler(connection -> connections.incrementAndGet())
        .listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    this.port = server.actualPort();
  }

  Endpoint endpoint() {
    return Endpoint.of(RouterFixture.HOST, port);
  }

  private void handle(HttpServerRequest request) {
    seen.incrementAndGet();
    uris.add(request.uri());
    String path = request.path();
    if (path.startsWith("/echo")) {
      if (request.getHeader("content-length") == null) {
        request.response().setChunked(true);
      } else {
        request.response().putHeader("content-length", request.getHeader("content-length"));
      }
      // Counted before the response ends, not from the request's end future: Vert.x runs the end handler (where a
      // plain pipeTo ends the response) before that future's callbacks, so a client could have the answer, and the
      // next test its counters reset, before the count. A request that failed is not counted, and still answered.
      request.pipe().endOnComplete(false).endOnFailure(false).to(request.response()).onComplete(piped -> {
        if (piped.succeeded()) {
          completed.incrementAndGet();
        }
        request.response().end();
      });
      return;
    }
    request.end().onSuccess(v -> completed.incrementAndGet());
    if (path.startsWith("/headers")) {
      JsonObject json = new JsonObject().put("uri", request.uri()).put("host", String.valueOf(request.authority()))
          .put("version", request.version().name());
      request.headers().forEach(h -> json.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
      request.response().putHeader("content-type", "application/json").putHeader("x-drop-me", "1")
          .end(json.encode());
    } else if (path.startsWith("/hold")) {
      held.add(request.response());
    } else if (path.startsWith("/slow")) {
      request.pause();
    } else if (path.startsWith("/refuse/")) {
      if (request.version() == HttpVersion.HTTP_2 && path.equals("/refuse/" + name)) {
        request.response().reset(REFUSED_STREAM);
      } else {
        request.response().end(name);
      }
    } else if (path.startsWith("/partial")) {
      request.response().setChunked(true).write(PARTIAL_CHUNK)
          .onComplete(v -> request.connection().close());
    } else if (path.startsWith("/big")) {
      request.response().setChunked(true);
      writeBig(request.response(), BIG_BODY);
    } else if (path.startsWith("/fail/")) {
      if (path.equals("/fail/" + name)) {
        // The whole body read, then a gateway error: a try that consumed the body and still failed.
        request.body().onSuccess(body -> request.response().setStatusCode(503).end(name));
      } else {
        request.body().onSuccess(body -> request.response().end(body));
      }
    } else if (path.startsWith("/status/")) {
      request.response().setStatusCode(Integer.parseInt(path.substring(8))).end(name);
    } else {
      request.response().end(name);
    }
  }

  /** How many requests wait at {@code /hold}. */
  int heldCount() {
    return held.size();
  }

  /** Answers the oldest request held at {@code /hold}; false when none is held. */
  boolean answerHeld() {
    HttpServerResponse response = held.poll();
    if (response == null) {
      return false;
    }
    response.end(name);
    return true;
  }

  private static void writeBig(HttpServerResponse response, int left) {
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    while (left > 0 && !response.writeQueueFull() && !response.closed()) {
      response.write(chunk);
      left -= chunk.length();
    }
    if (left <= 0) {
      response.end();
    } else if (!response.closed()) {
      int rest = left;
      response.drainHandler(v -> writeBig(response, rest));
    }
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
