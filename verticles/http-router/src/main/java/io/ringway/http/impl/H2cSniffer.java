package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import java.nio.charset.StandardCharsets;

/**
 * First handler of a connection on an h2c listener, ahead of Vert.x's own h2c detection, which would
 * otherwise decode the first HTTP/1 request leniently and only then tell the router the connection exists.
 * An HTTP/2 preface goes through untouched. Anything else is HTTP/1: Vert.x is made to build its HTTP/1
 * pipeline before it has read a byte, by one CRLF that its detection takes for HTTP/1 and its decoder
 * skips (the empty line RFC 9112 lets precede a request); the strict decoder then replaces that decoder
 * with nothing buffered in it, and the client's bytes follow.
 */
final class H2cSniffer extends ChannelInboundHandlerAdapter {

  static final String NAME = "ringwayH2cSniffer";
  private static final byte[] PREFACE = Http1xOrH2CHandler.HTTP_2_PREFACE.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};

  private final HttpServerOptions options;
  private final Runnable onHttp2;
  private final RequestPaths paths;
  /** What was read so far, while all of it matches the start of the preface. */
  private ByteBuf held;

  /** @param onHttp2 runs when the client sent the HTTP/2 preface: no HTTP/1 head is coming */
  H2cSniffer(HttpServerOptions options, RequestPaths paths, Runnable onHttp2) {
    this.options = options;
    this.paths = paths;
    this.onHttp2 = onHttp2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int seen = held == null ? 0 : held.readableBytes();
    int length = Math.min(buf.readableBytes(), PREFACE.length - seen);
    for (int i = 0; i < length; i++) {
      if (buf.getByte(buf.readerIndex() + i) != PREFACE[seen + i]) {
        handOver(ctx, join(buf), false);
        return;
      }
    }
    if (seen + length == PREFACE.length) {
      handOver(ctx, join(buf), true);
    } else {
      held = join(buf);
    }
  }

  private ByteBuf join(ByteBuf buf) {
    if (held == null) {
      return buf;
    }
    ByteBuf joined = Unpooled.wrappedBuffer(held, buf);
    held = null;
    return joined;
  }

  /**
   * Decides for HTTP/1 now, before any byte: Vert.x builds the HTTP/1 connection (and the strict decoder goes in)
   * at once. For a connection that carried HTTP/1 already ({@link KeepAliveParking}): it cannot turn HTTP/2.
   */
  static void decideHttp1(ChannelPipeline pipeline) {
    ChannelHandlerContext ctx = pipeline.context(NAME);
    if (ctx != null) {
      ((H2cSniffer) ctx.handler()).handOver(ctx, null, false);
    }
  }

  /** @param bytes what was read, passed on after the decision; null for nothing */
  private void handOver(ChannelHandlerContext ctx, ByteBuf bytes, boolean http2) {
    ChannelPipeline pipeline = ctx.pipeline();
    if (http2) {
      onHttp2.run();
    } else {
      ctx.fireChannelRead(Unpooled.wrappedBuffer(CRLF));
      if (pipeline.get("httpDecoder") != null && !(pipeline.get("httpDecoder") instanceof StrictRequestDecoder)) {
        pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options, paths));
      }
    }
    pipeline.remove(this);
    if (bytes != null) {
      ctx.fireChannelRead(bytes);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      // Still undecided: what was read is the start of the HTTP/2 preface, too short to be an HTTP/1 request.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // The connection closed in the middle of what could still have been a preface.
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
