package io.ringway.tcp.impl;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.impl.ShutdownEvent;

/**
 * Turns the peer's FIN into a message that travels behind the bytes read before it. Vert.x has no
 * half-close: Netty's default closes both directions on FIN, and with half-closure on it signals
 * FIN as a user event that can overtake data Vert.x still holds while the socket is paused.
 *
 * <p>The same idea as demo-upstream's {@code EndOfInputRelay}, duplicated on purpose: verticles
 * never depend on each other and the testkit is test-only. Unlike that one it can also keep a
 * downstream connection alive when its listener stops accepting (see {@link #downstream}).
 */
@Sharable
final class HalfCloseRelay extends ChannelInboundHandlerAdapter {

  /** Read after the last byte the peer sent. */
  static final Object END_OF_INPUT = new Object() {
    @Override
    public String toString() {
      return "END_OF_INPUT";
    }
  };

  private static final HalfCloseRelay DOWNSTREAM = new HalfCloseRelay(true);
  private static final HalfCloseRelay UPSTREAM = new HalfCloseRelay(false);
  private static final String NAME = "ringway-half-close";

  private final boolean outlivesServer;

  private HalfCloseRelay(boolean outlivesServer) {
    this.outlivesServer = outlivesServer;
  }

  /**
   * Installs the relay on an accepted connection. It also drops the shutdown event Vert.x sends
   * every connection of a server being shut down: a listener that stops accepting (reload, drain)
   * must leave its established connections flowing until they end. Undeploying still closes them,
   * through {@code TcpProxyVerticle#stop}.
   */
  static void downstream(NetSocketInternal socket) {
    install(socket, DOWNSTREAM);
  }

  /** Installs the relay on an upstream connection, right after it connected. */
  static void upstream(NetSocketInternal socket) {
    install(socket, UPSTREAM);
  }

  private static void install(NetSocketInternal socket, HalfCloseRelay relay) {
    ChannelHandlerContext vertxHandler = socket.channelHandlerContext();
    // read() returning 0 (EOF) then only shuts the input down; the proxy decides when to close.
    vertxHandler.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    vertxHandler.pipeline().addBefore(vertxHandler.name(), NAME, relay);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      ctx.fireChannelRead(END_OF_INPUT);
      // Vert.x flushes and delivers queued messages on read-complete.
      ctx.fireChannelReadComplete();
    } else if (!(outlivesServer && event instanceof ShutdownEvent)) {
      ctx.fireUserEventTriggered(event);
    }
  }
}
