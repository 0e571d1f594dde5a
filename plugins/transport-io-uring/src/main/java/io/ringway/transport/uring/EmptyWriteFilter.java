package io.ringway.transport.uring;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Completes writes of empty buffers without passing them to the channel when nothing is waiting to be written
 * before them. Netty's io_uring channel submits a SEND for an empty buffer (the epoll and NIO channels skip it),
 * and Netty's {@code SslHandler} writes one on every flush that has nothing to encrypt: an HTTP/2 connection over
 * TLS flushes after each request it reads, which cost a zero-byte SEND per request.
 */
@ChannelHandler.Sharable
final class EmptyWriteFilter extends ChannelOutboundHandlerAdapter {

  static final EmptyWriteFilter INSTANCE = new EmptyWriteFilter();

  private EmptyWriteFilter() {
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buffer && !buffer.isReadable() && nothingPending(ctx)) {
      buffer.release();
      promise.trySuccess();
      return;
    }
    ctx.write(msg, promise);
  }

  /**
   * An empty write's completion means "all written before me is out" (writeAndFlush(EMPTY_BUFFER) and then
   * close is the idiom): it may complete at once only when nothing written before is still on its way.
   */
  private static boolean nothingPending(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
    return pending != null && pending.isEmpty() && pending.totalPendingWriteBytes() == 0;
  }
}
