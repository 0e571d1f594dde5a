package io.ringway.http.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ShutdownEvent;
import java.util.concurrent.TimeUnit;

/**
 * Drains one HTTP/2 connection in two GOAWAYs (RFC 9113 section 6.8): the first, with the highest stream
 * id, tells the client to open no new stream here while the streams it sent meanwhile still run; once the client
 * acknowledged a PING sent with it, and not before a delay spread over the drain's close window, the second names
 * the last stream taken, and the connection closes once those finish (or at the listener's deadline). A single
 * GOAWAY with the last stream id would refuse the streams already on their way.
 */
final class H2Drain extends ChannelInboundHandlerAdapter {

  static final String NAME = "ringway-h2-drain";
  private static final int MAX_STREAM_ID = Integer.MAX_VALUE;
  private static final long NO_ERROR = 0;
  /** At least about one round trip between the two GOAWAYs, whatever the spread. */
  private static final long MIN_GOAWAY_GAP_MILLIS = 100;
  /** The payload of the PING sent with the first GOAWAY ("goaway" and two zero bytes). */
  private static final Buffer GOAWAY_PING = Buffer.buffer(new byte[] {'g', 'o', 'a', 'w', 'a', 'y', 0, 0});

  private final HttpConnection connection;
  private final ListenerDrain drain;
  private final ListenerStats stats;
  private boolean draining;

  H2Drain(HttpConnection connection, ListenerDrain drain, ListenerStats stats) {
    this.connection = connection;
    this.drain = drain;
    this.stats = stats;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ShutdownEvent) {
      // Not passed on: Vert.x would send the final GOAWAY at once.
      start(ctx);
      return;
    }
    if (event instanceof ChannelInputShutdownEvent) {
      // An HTTP/2 client ends its streams with frames, not with the TCP connection: as the transport closed it before.
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  void start(ChannelHandlerContext ctx) {
    if (draining) {
      return;
    }
    draining = true;
    stats.drainGoAways++;
    connection.goAway(NO_ERROR, MAX_STREAM_ID, null);
    long earliest = System.nanoTime()
        + TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_GOAWAY_GAP_MILLIS, drain.spreadDelayMillis()));
    // The PING's acknowledgement comes behind every frame the client sent before it read the GOAWAY (frames are
    // processed in order), so by then each stream it opened meanwhile has arrived: the second GOAWAY refuses none of
    // them. A timer alone did, when the client was slower than the gap (a loaded machine: 16 h2 requests of an
    // upgrade test failed with "Stream was closed (GOAWAY error code = 0)"). A client that never acknowledges keeps
    // the connection until the listener's deadline, which closes it.
    connection.ping(GOAWAY_PING).onComplete(ack -> {
      long wait = Math.max(0, earliest - System.nanoTime());
      ctx.executor().schedule(() -> {
        if (ctx.channel().isActive()) {
          // -1: the last stream the client opened; Vert.x's shutdown then waits for the open streams.
          connection.goAway(NO_ERROR, -1, null);
          connection.shutdown(drain.remainingMillis(), TimeUnit.MILLISECONDS);
        }
      }, wait, TimeUnit.NANOSECONDS);
    });
  }
}
