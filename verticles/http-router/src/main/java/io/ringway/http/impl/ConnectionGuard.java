package io.ringway.http.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Strictness at the connection level of one listener: installs {@link StrictRequestDecoder} in place of
 * Vert.x's (on h2c listeners through {@link H2cSniffer}), answers requests the decoder refused
 * (400/414/431/501/505, counted, connection closed), and closes connections that do not send a full first
 * request head in time (slowloris: 408).
 */
final class ConnectionGuard {


  private final HttpServerOptions options;
  private final long headerTimeoutMillis;
  private final ListenerStats stats;
  private final RequestPaths paths;
  /** Header-read timers of connections that have not sent a full request head yet. */
  private final Map<Channel, ScheduledFuture<?>> waiting = new IdentityHashMap<>();
  /** One for all connections: a lambda per connection would hold its channel, 32 bytes of every idle one. */
  private final ChannelFutureListener closed = future -> cancel(future.channel());
  /** When a connection was accepted ({@link System#nanoTime}), asked when its head timer starts. */
  private LongSupplier acceptedAt = System::nanoTime;

  ConnectionGuard(HttpServerOptions options, long headerTimeoutMillis, ListenerStats stats, RequestPaths paths) {
    this.options = options;
    this.headerTimeoutMillis = headerTimeoutMillis;
    this.stats = stats;
    this.paths = paths;
  }

  /** Where a connection's accept time comes from: its head timer runs from there, not from when it got here. */
  void acceptedAt(LongSupplier acceptedAt) {
    this.acceptedAt = acceptedAt;
  }

  /**
   * A connection accepted on an h2c listener, before anything was read (through
   * {@link io.ringway.spi.AcceptedChannels}): the sniffer makes its HTTP/1 decoding strict, and its first
   * head is timed from now.
   */
  void onAccepted(Channel channel) {
    channel.pipeline().addFirst(H2cSniffer.NAME, new H2cSniffer(options, paths, () -> cancel(channel)));
    awaitHead(channel);
  }

  /** Vert.x calls it once a connection's pipeline is set up; on h2c listeners only after its first request. */
  void onConnection(HttpConnection connection) {
    if (!(connection instanceof io.vertx.core.http.impl.HttpServerConnection internal)) {
      stats.connections++;
      return;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    if (!KeepAliveParking.wasParked(pipeline.channel())) {
      // A parked keep-alive connection that woke up is the connection counted before, not a new one.
      stats.connections++;
    }
    if (pipeline.get(ChunkedWriteHandler.class) != null) {
      // Only a file or a ChunkedInput goes through it, and the router writes neither: the handler, its context
      // and its queue were ~190 bytes of every HTTP/1 connection, idle keep-alive ones included.
      pipeline.remove(ChunkedWriteHandler.class);
    }
    if (pipeline.get("handler") instanceof Http2ConnectionHandler http2 && pipeline.get(H2ResetCounter.NAME) == null) {
      SkippedStreamIds streamIds = new SkippedStreamIds(http2.connection().remote().lastStreamCreated());
      pipeline.addBefore("handler", H2ResetCounter.NAME, new H2ResetCounter(stats, streamIds));
      // Vert.x set its frame listener just before telling us, on the first SETTINGS: no HEADERS was read yet.
      http2.decoder().frameListener(new H2RequestValidator(http2, streamIds, paths));
    }
    if (pipeline.get("httpDecoder") == null || pipeline.get("httpDecoder") instanceof StrictRequestDecoder) {
      // HTTP/2 (Netty's HTTP/2 codec frames requests), or an h2c listener's connection the sniffer hardened.
      return;
    }
    if (pipeline.get("h2c") != null) {
      // h2c, but the transport did not run the accepted-channel hook: swapping the decoder now, inside its
      // read, would re-fire its buffered bytes past the new one. Left as Vert.x made it.
      return;
    }
    pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, paths));
    awaitHead(pipeline.channel());
  }

  /** A full request head arrived on this connection. */
  void onRequest(HttpServerRequest request) {
    if (!waiting.isEmpty() && request.connection() instanceof io.vertx.core.http.impl.HttpServerConnection internal) {
      cancel(internal.channelHandlerContext().channel());
    }
  }

  /**
   * Times the connection's next head: its first one from accept; a parked keep-alive connection's next one from its
   * wake-up, its first byte (nginx times a keep-alive connection's next head from its first byte too).
   */
  private void awaitHead(Channel channel) {
    if (headerTimeoutMillis <= 0) {
      return;
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acceptedAt.getAsLong());
    long delay = Math.max(1, headerTimeoutMillis - elapsedMillis);
    // On the channel's loop, not through Vert.x: a connection is accepted (and woken) outside any Vert.x context, and
    // Vert.x's setTimer there made a whole new context for each connection (a ContextImpl and its task queues).
    waiting.put(channel, channel.eventLoop().schedule(() -> headerTimeout(channel), delay, TimeUnit.MILLISECONDS));
    if (!KeepAliveParking.wasParked(channel)) {
      // Once per connection, not per wake-up: the head or the timer takes a woken one's entry out within the timeout.
      channel.closeFuture().addListener(closed);
    }
  }

  private void cancel(Channel channel) {
    ScheduledFuture<?> timer = waiting.remove(channel);
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void headerTimeout(Channel channel) {
    if (waiting.remove(channel) == null) {
      return;
    }
    stats.headerTimeouts++;
    // Written from the first handler that frames nothing (the sniffer while it waits, else the decoder,
    // which sits after TLS), so the bytes go to the socket as they are, not through the response encoder.
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext writer = pipeline.context(H2cSniffer.NAME);
    if (writer == null) {
      writer = pipeline.context("httpDecoder");
    }
    if (writer == null) {
      channel.close();
      return;
    }
    LocalResponses.requestTimeout(writer);
  }

  /** The server's invalid-request handler: what Vert.x's default does, plus a counter per cause. */
  void onInvalidRequest(HttpServerRequest request) {
    onRequest(request);
    Throwable cause = request.decoderResult().cause();
    int status;
    if (cause instanceof TooLongHttpLineException) {
      stats.uriTooLong++;
      status = 414;
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      stats.headerTooLarge++;
      status = 431;
    } else if (cause instanceof RefusedRequest refusal && refusal.status != 400) {
      stats.unsupportedRequests++;
      status = refusal.status;
    } else {
      stats.badRequests++;
      status = 400;
    }
    request.response().setStatusCode(status).putHeader(HttpHeaders.CONNECTION, "close").end();
    request.connection().close();
  }
}
