package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Counts the RST_STREAM frames an HTTP/2 connection sends that refuse a stream: Netty's codec refuses
 * streams over the listener's {@code maxConcurrentStreams} (REFUSED_STREAM) and malformed ones (PROTOCOL_ERROR
 * and the like) itself, and Vert.x never hears of either. Sits between the codec and the socket (or TLS), where
 * every write is a whole frame or a piece of one in order, and reads only frame headers. The router's own
 * resets carry CANCEL and are not counted here.
 */
final class H2ResetCounter extends ChannelOutboundHandlerAdapter {

  static final String NAME = "ringway-h2-resets";

  private static final int FRAME_HEADER = 9;
  private static final int TYPE_RST_STREAM = 0x3;
  private static final int REFUSED_STREAM = 0x7;
  private static final int CANCEL = 0x8;

  private final ListenerStats stats;
  /** The current frame's header, then (RST_STREAM only) its 4-byte error code. */
  private final byte[] head = new byte[FRAME_HEADER + 4];
  private int headBytes;
  private int wanted = FRAME_HEADER;
  /** Payload bytes of the current frame still to pass unread. */
  private long skip;
  /** Set once a write was not bytes: frame boundaries are lost, so counting stops rather than miscounts. */
  private boolean lost;

  H2ResetCounter(ListenerStats stats) {
    this.stats = stats;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!lost) {
      if (msg instanceof ByteBuf buf) {
        scan(buf);
      } else {
        lost = true;
      }
    }
    ctx.write(msg, promise);
  }

  private void scan(ByteBuf buf) {
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
        count((head[9] & 0xff) << 24 | (head[10] & 0xff) << 16 | (head[11] & 0xff) << 8 | (head[12] & 0xff));
      } else {
        skip = length;
      }
      headBytes = 0;
      wanted = FRAME_HEADER;
    }
  }

  private void count(int errorCode) {
    if (errorCode == REFUSED_STREAM) {
      stats.refusedStreams++;
    } else if (errorCode != CANCEL && errorCode != 0) {
      stats.streamErrors++;
    }
  }
}
