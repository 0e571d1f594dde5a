package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringway.spi.AcceptedChannels;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The connections of one cleartext listener on one loop that have not sent a byte yet (issue 17). Vert.x builds
 * a connection's whole pipeline at accept (a {@code NetSocketImpl} whose outbound queue alone is a 1,024-slot
 * array, the HTTP initializer, an {@code IdleStateHandler} with its timer, ...: ~8.6 KB of heap), so each
 * accepted connection here waits as a bare Netty channel with one {@link Gate} until its first read, and is
 * handed to Vert.x then, with that read. Their timeouts are one timer per listener and loop, not one each:
 * every connection here has the same timeout and they are linked in accept order, so the first one always
 * expires first.
 *
 * <p>A connection Vert.x has not seen is not in its server's channel group: {@link #handOverAll} gives them to
 * Vert.x before its server shuts down (a drain then treats them as Vert.x connections that have sent nothing),
 * {@link #closeAll} closes them.
 *
 * <p>A second list of the same kind holds a listener's {@linkplain KeepAliveParking parked} keep-alive connections:
 * idle between two requests, their Vert.x connection let go, woken up by their next byte as an unread connection
 * is, and closed quietly at their idle timeout, counted from their last activity. A TLS listener has only that second
 * list, whose connections wait behind their TLS handler. Loop thread only.
 */
final class UnreadConnections implements AcceptedChannels.Deferral {

  static final String NAME = "ringwayUnread";
  private static final long NOT_HANDING_OVER = Long.MIN_VALUE;

  private final EventLoop loop;
  private final ListenerStats stats;
  /** From accept to expiry; 0 for never. */
  private final long timeoutNanos;
  /** Whether expiry is the head timeout (408) rather than the idle timeout (a quiet close). */
  private final boolean headTimeout;
  /** Whether this holds parked keep-alive connections, not new ones. */
  private final boolean parked;
  /** Whether its connections wait behind their TLS handler: their next bytes arrive decrypted, and go on from there. */
  private final boolean behindTls;
  /** The server's hand-over, from the last connection accepted: what a parked connection is handed back with. */
  private Consumer<Channel> handOver;
  private Gate first;
  private Gate last;
  private ScheduledFuture<?> sweep;
  /** The listener's byte-level path, which reads a connection's first request itself when it can; null: none. */
  private ByteLevelHttp1 byteLevel;
  /** While a connection is handed over: when it was accepted, for the head timer that Vert.x's side starts. */
  private long handingOverAcceptedAt = NOT_HANDING_OVER;

  /**
   * @param headerTimeoutMillis the listener's {@code headerReadTimeout}; 0 for none
   * @param idleTimeoutSeconds the listener's idle timeout as Vert.x applies it, in whole seconds; 0 for none
   */
  UnreadConnections(EventLoop loop, ListenerStats stats, long headerTimeoutMillis, long idleTimeoutSeconds) {
    this(loop, stats, headerTimeoutMillis, idleTimeoutSeconds, false, false);
  }

  /** The parked keep-alive connections of a listener with this idle timeout (whole seconds, 0 for none). */
  static UnreadConnections parked(EventLoop loop, ListenerStats stats, long idleTimeoutSeconds) {
    return new UnreadConnections(loop, stats, 0, idleTimeoutSeconds, true, false);
  }

  /** The parked keep-alive connections of a TLS listener, each waiting behind its TLS handler. */
  static UnreadConnections parkedBehindTls(EventLoop loop, ListenerStats stats, long idleTimeoutSeconds) {
    return new UnreadConnections(loop, stats, 0, idleTimeoutSeconds, true, true);
  }

  private UnreadConnections(EventLoop loop, ListenerStats stats, long headerTimeoutMillis, long idleTimeoutSeconds,
                            boolean parked, boolean behindTls) {
    this.loop = loop;
    this.parked = parked;
    this.behindTls = behindTls;
    this.stats = stats;
    long head = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
    long idle = TimeUnit.SECONDS.toNanos(idleTimeoutSeconds);
    this.headTimeout = head > 0 && (idle <= 0 || head <= idle);
    this.timeoutNanos = headTimeout ? head : Math.max(idle, 0);
  }

  @Override
  public void accepted(Channel channel, Consumer<Channel> handOver) {
    this.handOver = handOver;
    // A client that shuts its sending side after its request (nc -N, socat, HTTP/1.0 scripts) waits for the answer:
    // the end of input reaches the connection's handlers, which answer what was read whole before closing, as HAProxy
    // does, instead of the transport closing the connection at once. Each handler a connection can have on this
    // listener takes the event (the gate, ByteConnection, H2cSniffer, Http1Drain, H2Drain).
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    park(channel, handOver, System.nanoTime());
  }

  /** The server's hand-over for a connection it has let go of; null before the first connection. */
  Consumer<Channel> handOver() {
    return handOver;
  }

  /** Lets {@code path} read the connections' next bytes before Vert.x gets them. */
  void byteLevel(ByteLevelHttp1 path) {
    this.byteLevel = path;
  }

  /**
   * Holds a connection whose pipeline is empty (but what the transport put in at accept) until its next byte, timed
   * from {@code since} ({@link System#nanoTime}): its accept, or a parked keep-alive one's last activity.
   * Connections come here in that order.
   */
  void park(Channel channel, Consumer<Channel> handOver, long since) {
    Gate gate = new Gate(handOver, since);
    if (last == null) {
      first = gate;
    } else {
      last.next = gate;
      gate.previous = last;
    }
    last = gate;
    count(1);
    channel.pipeline().addLast(NAME, gate);
    if (sweep == null && timeoutNanos > 0) {
      sweep = loop.schedule(this::sweep, Math.max(0, since + timeoutNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void count(int delta) {
    if (parked) {
      stats.parkedConnections += delta;
    } else {
      stats.unreadConnections += delta;
    }
  }

  /**
   * When the connection Vert.x is being handed now was accepted ({@link System#nanoTime}), or now when none is:
   * its first head is timed from accept, not from its first byte.
   */
  long acceptedAt() {
    return handingOverAcceptedAt != NOT_HANDING_OVER ? handingOverAcceptedAt : System.nanoTime();
  }

  /** Gives every connection here to Vert.x as it is, nothing read. */
  void handOverAll() {
    handOverAll(channel -> { });
  }

  /** Gives every connection here to Vert.x as it is, nothing read, and then to {@code then}. */
  void handOverAll(Consumer<Channel> then) {
    while (first != null) {
      Channel channel = first.ctx == null ? null : first.ctx.channel();
      first.handOver(null);
      if (channel != null) {
        then.accept(channel);
      }
    }
  }

  /** Closes every connection here. */
  void closeAll() {
    while (first != null) {
      Gate gate = first;
      unlink(gate);
      if (gate.ctx != null) {
        gate.ctx.close();
      }
    }
  }

  private void sweep() {
    sweep = null;
    long now = System.nanoTime();
    while (first != null && now - first.acceptedAt >= timeoutNanos) {
      expire(first);
    }
    if (first != null) {
      sweep = loop.schedule(this::sweep, first.acceptedAt + timeoutNanos - now, TimeUnit.NANOSECONDS);
    }
  }

  private void expire(Gate gate) {
    unlink(gate);
    ChannelHandlerContext ctx = gate.ctx;
    if (ctx == null) {
      return;
    }
    if (headTimeout) {
      stats.headerTimeouts++;
      // Nothing frames writes on this pipeline yet: the bytes go to the socket as they are.
      LocalResponses.requestTimeout(ctx);
    } else {
      ctx.close();
    }
  }

  private void unlink(Gate gate) {
    if (!gate.linked) {
      return;
    }
    gate.linked = false;
    if (gate.previous == null) {
      first = gate.next;
    } else {
      gate.previous.next = gate.next;
    }
    if (gate.next == null) {
      last = gate.previous;
    } else {
      gate.next.previous = gate.previous;
    }
    gate.previous = null;
    gate.next = null;
    count(-1);
  }

  /**
   * The bytes a hand-over kept ({@code msg}, or null for none) enter the server's pipeline, built by then, from its
   * head; {@code outsideRead}: no read-complete follows by itself to flush what they are answered with.
   */
  static void enter(Channel channel, Object msg, boolean outsideRead) {
    if (msg == null) {
      return;
    }
    if (channel.isOpen()) {
      channel.pipeline().fireChannelRead(msg);
      if (outsideRead) {
        channel.pipeline().fireChannelReadComplete();
      }
    } else {
      // Vert.x refused it (its server stopped meanwhile) and closed it.
      ReferenceCountUtil.release(msg);
    }
  }

  /** As {@link #enter}, for decrypted bytes: they go on from the TLS handler, inside its read. */
  private static void enterBehindTls(Channel channel, Object msg) {
    if (msg == null) {
      return;
    }
    ChannelHandlerContext tls = channel.pipeline().context(SslHandler.class);
    if (channel.isOpen() && tls != null) {
      tls.fireChannelRead(msg);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** The one handler of a connection that has sent nothing yet, and its place in the accept-order list. */
  private final class Gate extends ChannelInboundHandlerAdapter {

    private final Consumer<Channel> handOver;
    private final long acceptedAt;
    private ChannelHandlerContext ctx;
    private Gate previous;
    private Gate next;
    private boolean linked = true;

    Gate(Consumer<Channel> handOver, long acceptedAt) {
      this.handOver = handOver;
      this.acceptedAt = acceptedAt;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (byteLevel != null && msg instanceof ByteBuf bytes && ByteLevelHttp1.mayTake(bytes)) {
        unlink(this);
        Channel channel = ctx.channel();
        ctx.pipeline().remove(this);
        if (parked) {
          stats.parkedWoken++;
        }
        byteLevel.takeFromGate(channel, bytes, handOver);
        return;
      }
      handOver(msg);
    }

    /**
     * Vert.x builds its pipeline behind this gate, which then leaves; {@code msg} (if any) enters it from the head,
     * or behind the TLS handler.
     */
    void handOver(Object msg) {
      unlink(this);
      Channel channel = ctx.channel();
      handingOverAcceptedAt = acceptedAt;
      try {
        handOver.accept(channel);
      } finally {
        handingOverAcceptedAt = NOT_HANDING_OVER;
      }
      ctx.pipeline().remove(this);
      if (parked) {
        stats.parkedWoken++;
        KeepAliveParking.woken(channel);
      }
      if (behindTls) {
        enterBehindTls(channel, msg);
      } else {
        enter(channel, msg, false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      unlink(this);
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        // Nothing read since the last answer (or ever): nothing to answer.
        unlink(this);
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset before the first byte: nobody to tell, nothing to log.
      unlink(this);
      ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      unlink(this);
    }
  }
}
