package io.ringway.spi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.vertx.core.net.impl.VertxEventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * A hook on connections a server accepts, run before Vert.x reads a byte from them. Vert.x has none: an
 * HTTP server with h2c on calls its connection handler only once the first request is decoded. Every
 * {@link TransportPlugin}'s Vert.x transport calls {@link #install} when it configures a server; a
 * verticle instance {@linkplain #register registers} for the local port it listens on and the event loop
 * it runs on, which is the loop its accepted connections are registered with.
 */
public final class AcceptedChannels {

  /** A registration; closing it is idempotent and leaves a later registration of the same key alone. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes accepted connections before Vert.x sees them. It must call {@code handOver.accept(channel)} on the
   * channel's loop before passing on anything read, or close the channel; until then Vert.x has built nothing
   * for it. {@code handOver} is one object per server, not per connection: a deferral may keep it per connection.
   */
  public interface Deferral {
    void accepted(Channel channel, Consumer<Channel> handOver);
  }

  /**
   * A transport's way to keep a listening socket from accepting after a failed accept, where auto-read off is not
   * enough: Netty's io_uring server channel re-arms a failed multishot accept whatever auto-read says.
   */
  public interface AcceptHold {

    /** Auto-read off and nothing more: what epoll and NIO need. */
    AcceptHold AUTO_READ = (socket, held) -> { };

    /**
     * Called on the socket's loop with {@code held} true from the failed accept's exception event (auto-read is
     * off then), and with false when the back-off ended, before auto-read goes back on.
     */
    void hold(Channel socket, boolean held);
  }

  private record Key(int port, EventLoop loop) {
  }

  private static final System.Logger LOG = System.getLogger(AcceptedChannels.class.getName());
  /** The name of the transport's first handler in a connection's pipeline. */
  private static final String FIRST = "ringwayTransportFirst";
  private static final ConcurrentMap<Key, Consumer<Channel>> INITIALIZERS = new ConcurrentHashMap<>();
  private static final ConcurrentMap<Key, Deferral> DEFERRALS = new ConcurrentHashMap<>();

  private AcceptedChannels() {
  }

  /**
   * Runs {@code initializer} on every connection accepted on {@code port} and registered with {@code loop},
   * after Vert.x set up its pipeline and before the first read, on that loop. Replaces an earlier
   * registration of the same port and loop (a listener and its replacement on reload).
   *
   * @return closes this registration, unless a later one replaced it
   */
  public static Registration register(int port, EventLoop loop, Consumer<Channel> initializer) {
    Key key = new Key(port, Objects.requireNonNull(loop, "loop"));
    Objects.requireNonNull(initializer, "initializer");
    INITIALIZERS.put(key, initializer);
    return () -> INITIALIZERS.remove(key, initializer);
  }

  /**
   * Keeps Vert.x's hands off connections accepted on {@code port} and registered with {@code loop} until
   * {@code deferral} hands them over (then Vert.x builds its pipeline and the {@linkplain #register initializer}
   * of the port and loop runs, as at accept otherwise). A connection Vert.x has not seen is not in its server's
   * channel group: the deferral must close or hand over what it holds when its server stops. Replaces an
   * earlier deferral of the same port and loop.
   *
   * @return closes this registration, unless a later one replaced it; connections taken before are unaffected
   */
  public static Registration defer(int port, EventLoop loop, Deferral deferral) {
    Key key = new Key(port, Objects.requireNonNull(loop, "loop"));
    Objects.requireNonNull(deferral, "deferral");
    DEFERRALS.put(key, deferral);
    return () -> DEFERRALS.remove(key, deferral);
  }

  /**
   * Takes the transport's first handler out of a connection that goes back to a deferral after Vert.x had it (a
   * parked keep-alive connection whose Vert.x handlers left): it waits as a connection never handed over does, a
   * handler context lighter, and its next hand-over puts the handler back. Loop thread only.
   */
  public static void takeBack(Channel channel) {
    if (channel.pipeline().get(FIRST) != null) {
      channel.pipeline().remove(FIRST);
    }
  }

  /**
   * Closes this process's listening sockets on {@code port} now, before their Vert.x servers shut down: a
   * shut-down server drops its handlers first and only then closes its socket, and every connection accepted
   * in between is closed unanswered (see {@link ClosedServerGate}). Closed this way, what was accepted
   * already still reaches its server; what waits in the kernel's accept queue is reset, unless
   * {@code net.ipv4.tcp_migrate_req} is 1 and another socket of the reuseport group takes it over.
   *
   * @return completes once every such socket is closed (at once when there is none)
   */
  public static CompletableFuture<Void> stopListening(int port) {
    List<CompletableFuture<Void>> closed = new ArrayList<>();
    for (Channel socket : AcceptLimits.listeningSockets(port)) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      socket.close().addListener(future -> done.complete(null));
      closed.add(done);
    }
    return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
  }

  /**
   * Wraps the child handler Vert.x set on {@code bootstrap} so registered initializers run after it,
   * closes, without a log line each, connections accepted once the server has no handler left, and holds
   * the port's {@linkplain AcceptLimits cap and accept-failure back-off}.
   */
  public static void install(ServerBootstrap bootstrap) {
    install(bootstrap, AcceptHold.AUTO_READ);
  }

  /** {@link #install(ServerBootstrap)} for a transport whose listening sockets need {@code hold} after a failed accept. */
  public static void install(ServerBootstrap bootstrap, AcceptHold hold) {
    install(bootstrap, hold, null);
  }

  /**
   * {@link #install(ServerBootstrap, AcceptHold)}, with {@code first} (a {@linkplain ChannelHandler.Sharable
   * sharable} handler, or null) first in the pipeline of every connection Vert.x gets, ahead of all it adds. A
   * connection a {@linkplain #defer deferral} holds, or keeps, goes without it.
   */
  public static void install(ServerBootstrap bootstrap, AcceptHold hold, ChannelHandler first) {
    Objects.requireNonNull(hold, "hold");
    if (bootstrap.config().childGroup() instanceof VertxEventLoopGroup loops) {
      bootstrap.handler(new ClosedServerGate(loops, hold));
    }
    bootstrap.childHandler(new ChildSetup(bootstrap.config().childHandler(), first));
  }

  /**
   * Every accepted connection's first handler, one for all of a server's connections: set up as its pipeline gets
   * it (once the connection is registered), it leaves and builds the rest. Netty's {@code ChannelInitializer} would
   * do the same at a cost per connection: a handler context and two entries of a concurrent map for each
   * initializer (under connection churn a connection lives for one request).
   */
  @ChannelHandler.Sharable
  private static final class ChildSetup extends ChannelInboundHandlerAdapter {
    private final Consumer<Channel> handOver;
    private final SharedAddresses addresses = new SharedAddresses();

    ChildSetup(ChannelHandler vertx, ChannelHandler first) {
      this.handOver = channel -> handOver(channel, first, vertx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      Channel channel = ctx.channel();
      try {
        ctx.pipeline().remove(this);
        // Before anything asks for the addresses: the channel caches the first answer it gives.
        addresses.share(channel);
        Deferral deferral = DEFERRALS.isEmpty() || !(channel.localAddress() instanceof InetSocketAddress local)
            ? null : DEFERRALS.get(new Key(local.getPort(), channel.eventLoop()));
        if (deferral != null) {
          deferral.accepted(channel, handOver);
        } else {
          handOver.accept(channel);
        }
      } catch (RuntimeException e) {
        // As a failed ChannelInitializer does: the connection closes rather than stay open with half a pipeline.
        LOG.log(System.Logger.Level.WARNING, "failed to set up an accepted connection; closing it", e);
        channel.close();
      }
    }
  }

  /**
   * Vert.x's child handler builds its pipeline at once (the channel is registered), behind the transport's
   * {@code first} (null: none), which a connection held by a deferral does not carry until then: an idle connection
   * waiting for its first byte costs a handler context less, and one the byte-level path keeps never needs it. A
   * parked keep-alive connection ({@link #takeBack}) is handed over again at each wake and gets it back then. The
   * port's initializer follows.
   */
  private static void handOver(Channel channel, ChannelHandler first, ChannelHandler vertx) {
    if (first != null && channel.pipeline().get(FIRST) == null) {
      channel.pipeline().addFirst(FIRST, first);
    }
    channel.pipeline().addLast(vertx);
    if (INITIALIZERS.isEmpty() || !(channel.localAddress() instanceof InetSocketAddress local)) {
      return;
    }
    Consumer<Channel> initializer = INITIALIZERS.get(new Key(local.getPort(), channel.eventLoop()));
    if (initializer != null && channel.isOpen()) {
      initializer.accept(channel);
    }
  }

  /**
   * A shut-down Vert.x server drops its last handler before it closes its listening socket, and in between
   * its loop group has no loop to register an accepted connection with: Netty then closes the connection and
   * logs a warning with a stack trace, one per connection, thousands when a drain meets a connection flood.
   * This gate, ahead of Netty's acceptor on the listening channel, closes them the same way, quietly. It also
   * counts what it passes on against the port's {@link AcceptLimits}.
   */
  private static final class ClosedServerGate extends ChannelInboundHandlerAdapter {
    private final VertxEventLoopGroup loops;
    /** Null until the socket is bound (its port known), and for a socket not bound to an IP port. */
    private AcceptLimits.SocketGate limits;
    private final AcceptHold hold;

    ClosedServerGate(VertxEventLoopGroup loops, AcceptHold hold) {
      this.loops = loops;
      this.hold = hold;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
        Channel socket = ctx.channel();
        // Also what stopListening finds the port's sockets by, until the socket closes.
        limits = AcceptLimits.gate(socket, local.getPort(), hold);
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      // The group's methods lock the group itself: holding it, no loop can leave between the check and the
      // acceptor's register (which takes it again). Nothing the acceptor does under it waits on another lock.
      synchronized (loops) {
        if (msg instanceof Channel accepted) {
          if (loops.workerCount() == 0) {
            accepted.unsafe().closeForcibly();
            return;
          }
          if (limits != null) {
            limits.accepted(accepted);
          }
        }
        ctx.fireChannelRead(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (limits == null || !limits.failed(ctx, cause)) {
        ctx.fireExceptionCaught(cause);
      }
    }
  }
}
