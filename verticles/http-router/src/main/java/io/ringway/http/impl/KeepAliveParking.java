package io.ringway.http.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.util.concurrent.GenericFutureListener;
import io.ringway.spi.AcceptedChannels;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.Http1xUpgradeToH2CHandler;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Parks a listener's idle keep-alive HTTP/1 connections (issue 17): between two requests, after
 * {@code idleParkAfter} without traffic, a connection lets go of its whole Vert.x connection (decoder, encoder,
 * drain handler, {@code Http1xServerConnection} and their contexts: ~1.3 KB of its ~3 KB of heap) and waits as a
 * bare channel in the listener's parked list, as a connection that has sent nothing waits in
 * {@link UnreadConnections}. Its next byte hands it back to the server, which builds a fresh HTTP/1 connection for
 * it, as nginx keeps only the connection of an idle keep-alive client and frees its request memory.
 *
 * <p>Only a connection whose pipeline from its decoder on is exactly the router's HTTP/1 one is parked (a cleartext
 * one waits without the transport's first handler too: {@link AcceptedChannels#takeBack}; a TLS one behind its TLS
 * handler, which keeps its session, and is woken by {@link TlsWake}), and only between two requests: nothing
 * buffered or half-read in the decoder, nothing unwritten, no request open, no tunnel, no drain. Anything else
 * (compression, HTTP/2, a handler this class does not know) keeps the connection as it is.
 *
 * <p>A woken connection is the same connection to the listener: counted once, its idle timeout running from its last
 * activity while parked, its next head timed by {@code headerReadTimeout} from its first byte, HTTP/1 only (an
 * HTTP/2 preface on it is refused, as on a connection that never parked). Loop thread only.
 */
final class KeepAliveParking implements Http1IdleTimeout.Parking {

  /**
   * On a listener without h2c each wake leaves one small Vert.x promise on the channel's close future (that of the
   * {@code NetSocketImpl} Vert.x builds and replaces at once, out of reach by then; ~40 bytes); past this many wakes
   * a connection there stays unparked, so that never adds up to what parking saves. On an h2c listener both
   * promises are removed, and a connection parks as often as it idles.
   */
  static final int MAX_WAKES_WITHOUT_H2C = 32;
  /**
   * What a connection carries once counted (it parked, or the byte-level path counted it): how often it woke up
   * since, up to {@link #MAX_WAKES_WITHOUT_H2C}. It is which of these objects the channel's config holds as its
   * message size estimator, each Netty's default one by behaviour, a slot nothing else sets: a channel attribute was
   * 64 bytes of every parked connection (the attribute and the channel's attribute array).
   */
  private static final WakeMark[] WAKE_MARKS = new WakeMark[MAX_WAKES_WITHOUT_H2C + 1];

  static {
    for (int wakes = 0; wakes < WAKE_MARKS.length; wakes++) {
      WAKE_MARKS[wakes] = new WakeMark(wakes);
    }
  }

  private final UnreadConnections unread;
  private final TlsWake tls;
  private final UnreadConnections parked;
  private final ListenerStats stats;
  private final int maxWakes;

  /**
   * A cleartext listener's parking.
   *
   * @param unread the listener's unread connections, whose server hand-over a parked connection goes back through
   * @param parked where parked connections wait
   * @param h2c whether the listener takes h2c (Vert.x then builds its HTTP/1 connection where the wake can see it)
   */
  KeepAliveParking(UnreadConnections unread, UnreadConnections parked, ListenerStats stats, boolean h2c) {
    this(unread, null, parked, stats, h2c ? Integer.MAX_VALUE : MAX_WAKES_WITHOUT_H2C);
  }

  /**
   * A TLS listener's parking: a connection waits behind its TLS handler, which stays, and {@code tls} builds its
   * HTTP/1 connection again at its next decrypted byte.
   *
   * @param parked where parked connections wait ({@link UnreadConnections#parkedBehindTls})
   */
  KeepAliveParking(TlsWake tls, UnreadConnections parked, ListenerStats stats) {
    // The wake takes away the one close listener a wake would leave.
    this(null, tls, parked, stats, Integer.MAX_VALUE);
  }

  private KeepAliveParking(UnreadConnections unread, TlsWake tls, UnreadConnections parked, ListenerStats stats,
                           int maxWakes) {
    this.unread = unread;
    this.tls = tls;
    this.parked = parked;
    this.stats = stats;
    this.maxWakes = maxWakes;
  }

  /** Whether this connection parked before: its counters and close listeners are in place already. */
  static boolean wasParked(Channel channel) {
    return mark(channel) != null;
  }

  /** The connection's wake mark; null before it was counted. */
  private static WakeMark mark(Channel channel) {
    return channel.config().getMessageSizeEstimator() instanceof WakeMark mark ? mark : null;
  }

  /**
   * Marks a connection the byte-level path counted and listens to, as a parked one is: the decoding path, when it gets
   * the connection later, counts it no second time.
   */
  static void countedOnce(Channel channel) {
    if (!wasParked(channel)) {
      channel.config().setMessageSizeEstimator(WAKE_MARKS[0]);
    }
  }

  @Override
  public boolean park(ChannelHandlerContext ctx, long lastActivity) {
    Channel channel = ctx.channel();
    ChannelPipeline pipeline = channel.pipeline();
    Consumer<Channel> handOver = tls == null ? unread.handOver()
        : tls.canWake(channel, pipeline.get("handler")) ? tls : null;
    if (handOver == null || !channel.isActive() || !channel.config().isAutoRead()
        || !(ctx.handler() instanceof Http1Drain drain) || !drain.betweenRequests()) {
      return false;
    }
    WakeMark mark = mark(channel);
    if (mark != null && mark.wakes >= maxWakes) {
      return false;
    }
    ChannelOutboundBuffer unwritten = channel.unsafe().outboundBuffer();
    if (unwritten == null || unwritten.totalPendingWriteBytes() > 0) {
      return false;
    }
    // Only the router's handlers are looked at. The transport's first handler, ahead of them, leaves after them on a
    // cleartext connection (a wake hands it over again, which puts it back); a TLS connection keeps it and its TLS
    // handler.
    List<String> http = new ArrayList<>();
    for (Map.Entry<String, ChannelHandler> handler : pipeline) {
      if (http.isEmpty() && !handler.getKey().equals("httpDecoder")) {
        continue;
      }
      if (!parkable(handler.getKey(), handler.getValue())) {
        return false;
      }
      http.add(handler.getKey());
    }
    if (!http.contains("handler")) {
      return false;
    }
    forgetCloseListener(channel, pipeline.get("handler"));
    // The last handler first: none of them sees a read or an event after the one before it left.
    http.reversed().forEach(pipeline::remove);
    if (tls == null) {
      AcceptedChannels.takeBack(channel);
    }
    countedOnce(channel);
    stats.parks++;
    parked.park(channel, handOver, lastActivity);
    return true;
  }

  /** The handlers of a cleartext HTTP/1 connection of the router, each in a state that loses nothing when dropped. */
  private static boolean parkable(String name, ChannelHandler handler) {
    return switch (name) {
      case "httpDecoder" -> handler instanceof StrictRequestDecoder decoder && decoder.betweenRequests();
      case "httpEncoder" -> true;
      case "h2c" -> handler instanceof Http1xUpgradeToH2CHandler;
      case Http1Drain.NAME -> true;
      case "handler" -> handler instanceof VertxHandler<?> vertx && vertx.getConnection() instanceof Http1xServerConnection;
      default -> false;
    };
  }

  /**
   * Vert.x's connection listens to the channel's close future to complete its own; dropped, it would stay there
   * until the channel closes, one more with every wake.
   */
  static void forgetCloseListener(Channel channel, ChannelHandler handler) {
    if (handler instanceof VertxHandler<?> vertx && vertx.getConnection() instanceof ConnectionBase connection
        && connection.closeFuture() instanceof GenericFutureListener<?> listener) {
      @SuppressWarnings("unchecked")
      GenericFutureListener<io.netty.util.concurrent.Future<Void>> added =
          (GenericFutureListener<io.netty.util.concurrent.Future<Void>>) listener;
      channel.closeFuture().removeListener(added);
    }
  }

  /**
   * A drain handed this parked connection back to its server: unless a request began on it by then, it closes after
   * {@code delayMillis}, as an idle connection's {@link Http1Drain} closes it. (On an h2c listener Vert.x builds the
   * rest of its HTTP/1 connection, the drain handler with it, only with a request.)
   */
  static void closeIfStillIdle(Channel channel, long delayMillis, ListenerStats stats) {
    channel.eventLoop().schedule(() -> {
      ChannelPipeline pipeline = channel.pipeline();
      if (channel.isActive() && pipeline.get(Http1Drain.NAME) == null
          && pipeline.get("httpDecoder") instanceof StrictRequestDecoder decoder && decoder.betweenRequests()) {
        stats.drainIdleClosed++;
        channel.close();
      }
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * A parked connection was just handed back to its server (by its next byte, or a drain): its HTTP/1 connection is
   * built now, before that byte, with the strict decoder.
   */
  static void woken(Channel channel) {
    if (!channel.isActive()) {
      return;
    }
    WakeMark mark = mark(channel);
    if (mark != null) {
      channel.config().setMessageSizeEstimator(WAKE_MARKS[Math.min(mark.wakes + 1, MAX_WAKES_WITHOUT_H2C)]);
    }
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(H2cSniffer.NAME) != null) {
      // h2c listener: Vert.x's NetSocket waits for the sniffer's verdict; its close listener goes the same way.
      forgetCloseListener(channel, pipeline.get("handler"));
      H2cSniffer.decideHttp1(pipeline);
    }
  }

  /** A count of wakes, in the estimator's slot; estimates as Netty's default estimator does. */
  private static final class WakeMark implements MessageSizeEstimator {
    final int wakes;

    WakeMark(int wakes) {
      this.wakes = wakes;
    }

    @Override
    public Handle newHandle() {
      return DefaultMessageSizeEstimator.DEFAULT.newHandle();
    }
  }
}
