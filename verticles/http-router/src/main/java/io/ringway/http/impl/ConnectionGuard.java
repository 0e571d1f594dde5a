package io.ringway.http.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Strictness at the connection level of one listener: installs {@link StrictRequestDecoder} in place of
 * Vert.x's, answers requests the decoder refused (400/414/431, counted, connection closed), and closes
 * connections that do not send a full first request head in time (slowloris: 408).
 */
final class ConnectionGuard {

  private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n"
      + "content-length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final HttpServerOptions options;
  private final long headerTimeoutMillis;
  private final ListenerStats stats;
  /** Header-read timers of connections that have not sent a full request head yet. */
  private final Map<HttpConnection, Long> waiting = new IdentityHashMap<>();

  ConnectionGuard(Vertx vertx, HttpServerOptions options, long headerTimeoutMillis, ListenerStats stats) {
    this.vertx = vertx;
    this.options = options;
    this.headerTimeoutMillis = headerTimeoutMillis;
    this.stats = stats;
  }

  /** Vert.x calls it once a connection's pipeline is set up and before any request is decoded. */
  void onConnection(HttpConnection connection) {
    stats.connections++;
    if (!(connection instanceof io.vertx.core.http.impl.HttpServerConnection internal)) {
      return;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    if (pipeline.get("httpDecoder") == null) {
      // HTTP/2: Netty's HTTP/2 codec frames requests; no HTTP/1 decoder to harden, no head to wait for.
      return;
    }
    if (pipeline.get("h2c") != null) {
      // h2c listener: Vert.x builds the HTTP/1 connection only once the first request is decoded, inside
      // the decoder's read, where swapping the decoder would re-fire its buffered bytes. Not hardened (yet).
      return;
    }
    pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
    if (headerTimeoutMillis > 0) {
      long timer = vertx.setTimer(headerTimeoutMillis, id -> headerTimeout(connection, pipeline));
      waiting.put(connection, timer);
      connection.closeHandler(v -> cancel(connection));
    }
  }

  /** A full request head arrived on this connection. */
  void onRequest(HttpServerRequest request) {
    if (!waiting.isEmpty()) {
      cancel(request.connection());
    }
  }

  private void cancel(HttpConnection connection) {
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private void headerTimeout(HttpConnection connection, ChannelPipeline pipeline) {
    if (waiting.remove(connection) == null) {
      return;
    }
    stats.headerTimeouts++;
    // Written from the decoder's context, so it goes to the socket as is, not through the response encoder.
    ChannelHandlerContext decoder = pipeline.context("httpDecoder");
    if (decoder == null) {
      connection.close();
      return;
    }
    decoder.writeAndFlush(Unpooled.wrappedBuffer(REQUEST_TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
  }

  /** The server's invalid-request handler: what Vert.x's default does, plus a counter per cause. */
  void onInvalidRequest(HttpServerRequest request) {
    cancel(request.connection());
    Throwable cause = request.decoderResult().cause();
    int status;
    if (cause instanceof TooLongHttpLineException) {
      stats.uriTooLong++;
      status = 414;
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      stats.headerTooLarge++;
      status = 431;
    } else {
      stats.badRequests++;
      status = 400;
    }
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end();
    request.connection().close();
  }
}
