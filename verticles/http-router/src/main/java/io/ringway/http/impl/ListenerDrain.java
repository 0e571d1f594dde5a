package io.ringway.http.impl;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How one listener's open connections end when it stops: each gets a drain handler ({@link Http1Drain} or
 * {@link H2Drain}) that takes the shutdown event Vert.x broadcasts in place of Vert.x's own handling, which
 * closes an idle HTTP/1 connection at once (racing the client's next request) and answers nothing more
 * on a busy one without telling the client. The listener's hard deadline stays Vert.x's grace period.
 */
final class ListenerDrain {

  private final ListenerStats stats;
  /** The listener's idle timeout in whole seconds, as Vert.x applies it; 0 for none. */
  private final long idleTimeoutSeconds;
  /** Created with the first HTTP/1 connection, on the listener's loop, which all its connections share. */
  private Http1IdleTimeout idleTimeout;
  /** Where idle keep-alive connections park ({@link KeepAliveParking}); null when none do. */
  private Http1IdleTimeout.Parking parking;
  private long parkAfterNanos;
  private volatile boolean draining;
  private volatile long spreadMillis;
  private volatile long deadlineNanos;

  ListenerDrain(ListenerStats stats, long idleTimeoutSeconds) {
    this.stats = stats;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  /** Idle HTTP/1 connections park after {@code parkAfter}; before the first connection only. */
  void parkIdleConnections(Http1IdleTimeout.Parking parking, Duration parkAfter) {
    this.parking = parking;
    this.parkAfterNanos = parkAfter.toNanos();
  }

  /** Marks the listener draining; Vert.x's shutdown event then reaches every connection's handler. */
  void start(Duration grace, Duration closeSpread) {
    spreadMillis = Math.max(0, Math.min(closeSpread.toMillis(), grace.toMillis()));
    deadlineNanos = System.nanoTime() + grace.toNanos();
    draining = true;
  }

  /** On the connection's loop, once Vert.x set the connection up. */
  void install(HttpConnection connection) {
    if (!(connection instanceof HttpServerConnection internal)) {
      return;
    }
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    if (pipeline.get("handler") == null || pipeline.get(Http1Drain.NAME) != null || pipeline.get(H2Drain.NAME) != null) {
      return;
    }
    if (!KeepAliveParking.wasParked(pipeline.channel())) {
      // Once per connection: a parked one that woke up is counted already, and listened to.
      stats.openConnections++;
      pipeline.channel().closeFuture().addListener(stats.openConnectionClosed);
    }
    if (pipeline.get("handler") instanceof Http2ConnectionHandler) {
      H2Drain drain = new H2Drain(connection, this, stats);
      pipeline.addBefore("handler", H2Drain.NAME, drain);
      if (draining) {
        drain.start(pipeline.context(H2Drain.NAME));
      }
    } else {
      Http1Drain drain = new Http1Drain(this, stats, takeIdleTimeout(pipeline));
      pipeline.addBefore("handler", Http1Drain.NAME, drain);
      if (draining) {
        // Accepted after the shutdown event went out (a TLS handshake or an h2c sniff in progress then).
        drain.start(pipeline.context(Http1Drain.NAME));
      }
    }
  }

  /**
   * Takes the idle timeout of an HTTP/1 connection over from Vert.x's {@code IdleStateHandler}, which leaves the
   * pipeline: the timeout then runs in the listener's {@link Http1IdleTimeout}, fed by the connection's drain handler.
   *
   * @return null when Vert.x set no idle handler (no idle timeout) and no connection parks
   */
  private Http1IdleTimeout takeIdleTimeout(ChannelPipeline pipeline) {
    IdleStateHandler vertxIdle = pipeline.get(IdleStateHandler.class);
    boolean timed = vertxIdle != null && idleTimeoutSeconds > 0;
    if (!timed && parking == null) {
      return null;
    }
    if (vertxIdle != null) {
      pipeline.remove(vertxIdle);
    }
    if (idleTimeout == null) {
      idleTimeout = new Http1IdleTimeout(pipeline.channel().eventLoop(), timed ? idleTimeoutSeconds : 0,
          parkAfterNanos, parking);
    }
    return idleTimeout;
  }

  /** A delay drawn uniformly from the close spread, so idle connections do not all close (and reconnect) at once. */
  long spreadDelayMillis() {
    long spread = spreadMillis;
    return spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread + 1);
  }

  /** Time left before the listener closes whatever is still open. */
  long remainingMillis() {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }
}
