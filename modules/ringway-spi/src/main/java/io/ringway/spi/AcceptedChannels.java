package io.ringway.spi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Objects;
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

  private record Key(int port, EventLoop loop) {
  }

  private static final ConcurrentMap<Key, Consumer<Channel>> INITIALIZERS = new ConcurrentHashMap<>();

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

  /** Wraps the child handler Vert.x set on {@code bootstrap} so registered initializers run after it. */
  public static void install(ServerBootstrap bootstrap) {
    ChannelHandler vertx = bootstrap.config().childHandler();
    bootstrap.childHandler(new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast(vertx);
        if (INITIALIZERS.isEmpty() || !(channel.localAddress() instanceof InetSocketAddress local)) {
          return;
        }
        Consumer<Channel> initializer = INITIALIZERS.get(new Key(local.getPort(), channel.eventLoop()));
        if (initializer != null && channel.isOpen()) {
          initializer.accept(channel);
        }
      }
    });
  }
}
