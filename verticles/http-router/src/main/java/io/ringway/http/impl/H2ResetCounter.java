package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * Counts the RST_STREAM frames an HTTP/2 connection sends that refuse a stream: Netty's codec refuses
 * streams over the listener's {@code maxConcurrentStreams} (REFUSED_STREAM) and malformed ones (PROTOCOL_ERROR
 * and the like) itself, and Vert.x never hears of either. Sits between the codec and the socket (or TLS), where
 * every write is a whole frame or a piece of one in order, and reads only frame headers. The router's own
 * resets carry CANCEL and are not counted here. A STREAM_CLOSED reset Netty sends for a frame on a stream id the
 * client skipped ({@link SkippedStreamIds}) is turned into the connection error RFC 9113 §5.1.1 requires.
 */
final class H2ResetCounter extends ChannelOutboundHandlerAdapter {

  static final String NAME = "ringway-h2-resets";

  private static final int FRAME_HEADER = 9;
  private static final int TYPE_RST_STREAM = 0x3;
  private static final int STREAM_CLOSED = 0x5;
  private static final int REFUSED_STREAM = 0x7;
  private static final int CANCEL = 0x8;

  private final ListenerStats stats;
  private final SkippedStreamIds skipped;
  /** The current frame's header, then (RST_STREAM only) its 4-byte error code. */
  private final byte[] head = new byte[FRAME_HEADER + 4];
  private int headBytes;
  private int wanted = FRAME_HEADER;
  /** Payload bytes of the current frame still to pass unread. */
  private long skip;
  /** Set once a write was not bytes: frame boundaries are lost, so counting stops rather than miscounts. */
  private boolean lost;

  H2ResetCounter(ListenerStats stats, SkippedStreamIds skipped) {
    this.stats = stats;
    this.skipped = skipped;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!lost) {
      if (msg instanceof ByteBuf buf) {
        scan(ctx, buf);
      } else {
        lost = true;
      }
    }
    ctx.write(msg, promise);
  }

  private void scan(ChannelHandlerContext ctx, ByteBuf buf) {
    int at = buf.readerIndex();
    int end = buf.writerIndex();
    while (at < end) {
      if (skip > 0) {
        int n = (int) Math.min(skip, end - at);
        at += n;
        skip -= n;
        continue;
      }
      int n = Math.min(wanted - headBytes, end - at);
      buf.getBytes(at, head, headBytes, n);
      at += n;
      headBytes += n;
      if (headBytes < wanted) {
        return;
      }
      int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
      if (wanted == FRAME_HEADER && head[3] == TYPE_RST_STREAM && length == 4) {
        wanted = FRAME_HEADER + 4;
        continue;
      }
      if (wanted > FRAME_HEADER) {
        int errorCode = (head[9] & 0xff) << 24 | (head[10] & 0xff) << 16 | (head[11] & 0xff) << 8 | (head[12] & 0xff);
        count(errorCode);
        int streamId = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | (head[8] & 0xff);
        if (errorCode == STREAM_CLOSED && skipped.skipped(streamId)) {
          // After this write: Netty's error handling writes the GOAWAY and closes, which must not happen mid-write.
          ctx.executor().execute(() -> unexpectedStreamId(ctx, streamId));
        }
      } else {
        skip = length;
      }
      headBytes = 0;
      wanted = FRAME_HEADER;
    }
  }

  private static void unexpectedStreamId(ChannelHandlerContext ctx, int streamId) {
    ChannelHandlerContext codec = ctx.pipeline().context("handler");
    if (codec != null && codec.handler() instanceof Http2ConnectionHandler http2 && ctx.channel().isActive()) {
      http2.onError(codec, false, Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
          "frame on stream %d, which the client skipped (RFC 9113 §5.1.1)", streamId));
    }
  }

  private void count(int errorCode) {
    if (errorCode == REFUSED_STREAM) {
      stats.refusedStreams++;
    } else if (errorCode != CANCEL && errorCode != 0 && errorCode != STREAM_CLOSED) {
      // STREAM_CLOSED answers a frame on a stream already ended or reset, whose own error was counted then.
      stats.streamErrors++;
    }
  }
}
