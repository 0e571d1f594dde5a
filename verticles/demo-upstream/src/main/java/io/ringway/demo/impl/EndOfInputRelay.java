package io.ringway.demo.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Turns the peer's FIN into a message that travels behind the bytes read before it. Vert.x has no
 * half-close: Netty's default closes both directions on FIN and drops echo bytes not yet written,
 * and with half-closure on it signals FIN as a user event that can overtake data Vert.x still
 * holds while the socket is paused.
 */
final class EndOfInputRelay extends ChannelInboundHandlerAdapter {

  /** Read after the last byte the peer sent. */
  static final Object END_OF_INPUT = new Object() {
    @Override
    public String toString() {
      return "END_OF_INPUT";
    }
  };

  private EndOfInputRelay() {
  }

  /**
   * Installs the relay in front of Vert.x's handler. Call from the connect handler, which Vert.x
   * runs on the channel's event loop before the first read.
   *
   * @param vertxHandler the context of Vert.x's own handler for this connection
   */
  static void install(ChannelHandlerContext vertxHandler) {
    // read() returning 0 (EOF) then only shuts the input down; we still write and close ourselves.
    vertxHandler.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    vertxHandler.pipeline().addBefore(vertxHandler.name(), "ringway-end-of-input", new EndOfInputRelay());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      ctx.fireChannelRead(END_OF_INPUT);
      // Vert.x flushes and delivers queued messages on read-complete.
      ctx.fireChannelReadComplete();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }
}
