package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.ringway.spi.config.HeaderRewrite;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One pooled HTTP/1.1 upstream connection of the byte-level path, and the reader of its responses: at most one request
 * in flight, as the decoding path's client. It checks each response as {@link UpstreamGuard} does there (status line,
 * status in 100..599, field grammar, one Content-Length of digits or Transfer-Encoding {@code chunked}, never both nor
 * chunked in HTTP/1.0, head within 8 KiB, at most {@link UpstreamGuard#MAX_INTERIM} interim responses, no byte that no
 * request asked for) and relays it to the client as the decoding path would write it: {@code HTTP/1.1} status line,
 * hop-by-hop fields and those {@code Connection} names dropped, {@code via} appended, the route's rewrite applied, and
 * a body without a length sent chunked (its chunks re-framed without extensions, its trailers without forbidden
 * fields). Bodies go on as slices of what was read. Loop thread only.
 */
final class ByteUpstream extends ChannelInboundHandlerAdapter {

  /** What the exchange of the request in flight hears of its response. */
  interface Owner {

    /** A 103 to pass on (a complete head, {@code via} added), before the final response. */
    void earlyHints(ByteBuf head);

    /**
     * The final response head arrived: true to relay it (its head then comes to {@link #head}), false when the owner
     * let go of this connection instead (a retry on 502/503/504).
     */
    boolean response(int status);

    /**
     * Whether the client connection closes after this response, asked as its head is written: a drain that began
     * after the request went up still puts {@code connection: close} on it.
     */
    boolean closeAfter();

    /** The head to write to the client, then the body in pieces, then its end. */
    void head(ByteBuf head);

    void body(ByteBuf piece);

    /** The connection can take more of the request body again (or not). */
    void writable(boolean writable);

    /** The whole response was relayed; {@code reusable}: the connection may carry another request. */
    void end(boolean reusable);

    /**
     * The try failed before its response ended: {@code sawNothing} when not a byte of a response came first, on a
     * connection {@code reused} from the pool.
     */
    void failed(Throwable cause, boolean sawNothing, boolean reused);
  }

  /** The decoding path's client limit on a response head ({@code HttpClientOptions.DEFAULT_MAX_HEADER_SIZE}). */
  private static final int MAX_HEAD = 8192;
  static final int MAX_LINES = 128;
  private static final byte[] STATUS_LINE = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VIA = "via: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VIA_HOP = "1.1 ringway\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LAST_CHUNK = "0\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final int IDLE = 0;
  private static final int HEAD = 1;
  private static final int LENGTH = 2;
  private static final int CHUNK_SIZE = 3;
  private static final int CHUNK_EXTENSION = 4;
  private static final int CHUNK_SIZE_LF = 5;
  private static final int CHUNK_DATA = 6;
  private static final int CHUNK_DATA_CR = 7;
  private static final int CHUNK_DATA_LF = 8;
  private static final int TRAILERS = 9;
  private static final int UNTIL_CLOSE = 10;

  final ByteUpstreams.Pool pool;
  private ChannelHandlerContext ctx;
  private Owner owner;
  /** The client connection of the request in flight, flushed after each read. */
  private Channel downstream;
  /** Counters of the cluster using it now: what no try's failure counts is counted here. */
  private UpstreamStats stats;
  private ByteBuf in;
  private int state = IDLE;
  private long left;
  private int interim;
  private boolean keepAlive;
  private boolean headRequest;
  private HeaderRewrite rewrite;
  /** The connection carried a request before this one. */
  private boolean reused;
  /** When it last went back to its pool ({@link System#nanoTime}); read only while idle. */
  private long idleSince;
  private boolean sawBytes;
  private boolean chunkDigits;
  /** A write of the request failed (the upstream closed): the response may still come, the connection is not reused. */
  private boolean requestCut;
  /**
   * Head parse: per line start, colon (or -1), content end (before CR LF), and {@code Connection}'s other tokens. The
   * tables are the loop's ({@link ByteUpstreams.HeadLines}): a head is read whole within one call, one at a time.
   */
  private final int[] lineStart;
  private final int[] lineColon;
  private final int[] lineEnd;
  private final boolean[] dropped;
  private int lines;
  private List<String> connectionNamed;

  ByteUpstream(ByteUpstreams.Pool pool) {
    this.pool = pool;
    ByteUpstreams.HeadLines tables = pool.headLines();
    this.lineStart = tables.start;
    this.lineColon = tables.colon;
    this.lineEnd = tables.end;
    this.dropped = tables.dropped;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  Channel channel() {
    return ctx.channel();
  }

  /** Writes a request head for {@code owner} (not flushed: its body may follow); the owner writes the body. */
  void send(Owner owner, Channel downstream, ByteBuf requestHead, boolean headRequest, HeaderRewrite rewrite,
            UpstreamStats stats) {
    this.owner = owner;
    this.downstream = downstream;
    this.headRequest = headRequest;
    this.rewrite = rewrite;
    this.stats = stats;
    this.state = HEAD;
    this.interim = 0;
    this.sawBytes = false;
    ctx.write(requestHead, ctx.voidPromise());
  }

  /** The owner let go of this connection mid-exchange (client gone, timeout, retry): it cannot be reused. */
  void discard() {
    owner = null;
    state = IDLE;
    ctx.close();
  }

  /** Whether it may carry another request: back in its pool's idle list at {@code now} ({@link System#nanoTime}). */
  void idle(long now) {
    idleSince = now;
    reused = true;
    owner = null;
    state = IDLE;
    ctx.channel().config().setAutoRead(true);
  }

  /** When it last went idle ({@link System#nanoTime}). */
  long idleSince() {
    return idleSince;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    if (state == IDLE) {
      // No request asked for these: they must never answer the next one.
      bytes.release();
      if (stats != null) {
        stats.badResponses++;
      }
      ctx.close();
      return;
    }
    sawBytes = true;
    in = in == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, bytes);
    try {
      process();
    } catch (BadUpstreamResponse bad) {
      fail(bad);
    }
    if (in != null && !in.isReadable()) {
      in.release();
      in = null;
    }
  }

  private void process() {
    while (in != null && in.isReadable() && owner != null) {
      switch (state) {
        case HEAD -> {
          if (!head()) {
            return;
          }
        }
        case LENGTH -> {
          int n = (int) Math.min(left, in.readableBytes());
          left -= n;
          owner.body(n == in.readableBytes() ? takeAll() : in.readRetainedSlice(n));
          if (left == 0) {
            complete(keepAlive);
          }
        }
        case UNTIL_CLOSE -> {
          chunk(in.readableBytes());
          owner.body(takeAll());
          owner.body(ctx.alloc().buffer(2).writeBytes(AsciiBytes.CRLF));
        }
        case TRAILERS -> {
          if (!trailers()) {
            return;
          }
        }
        default -> chunked();
      }
    }
  }

  /** What is left of the read buffer, handed on whole (no slice to make): this connection lets go of it. */
  private ByteBuf takeAll() {
    ByteBuf all = in;
    in = null;
    return all;
  }

  /** Reads a response head if it is complete; false while it is not. */
  private boolean head() {
    int start = in.readerIndex();
    int limit = in.writerIndex();
    lines = 0;
    connectionNamed = null;
    int statusEnd = -1;
    int at = start;
    while (true) {
      int lf = in.indexOf(at, limit, (byte) '\n');
      if (lf < 0) {
        if (limit - start > MAX_HEAD) {
          throw new BadUpstreamResponse("response head over " + MAX_HEAD + " bytes");
        }
        return false;
      }
      int contentEnd = lf > at && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      if (lf + 1 - start > MAX_HEAD) {
        throw new BadUpstreamResponse("response head over " + MAX_HEAD + " bytes");
      }
      if (statusEnd < 0) {
        statusEnd = contentEnd;
      } else if (contentEnd == at) {
        in.readerIndex(lf + 1);
        return finishHead(start, statusEnd);
      } else {
        headerLine(at, contentEnd);
      }
      at = lf + 1;
    }
  }

  private void headerLine(int from, int to) {
    if (lines == MAX_LINES) {
      throw new BadUpstreamResponse("more than " + MAX_LINES + " fields in a response head");
    }
    int colon = -1;
    for (int i = from; i < to; i++) {
      int c = in.getByte(i) & 0xFF;
      if (colon < 0) {
        if (c == ':' && i > from) {
          colon = i;
        } else if (!AsciiBytes.TCHAR[c]) {
          throw new BadUpstreamResponse(i == from && (c == ' ' || c == '\t') ? "obsolete line folding in a response head"
              : "invalid byte " + c + " in a response field name");
        }
      } else if (c < 0x20 && c != '\t' || c == 0x7F) {
        throw new BadUpstreamResponse("invalid byte " + c + " in a response field value");
      }
    }
    if (colon < 0) {
      throw new BadUpstreamResponse("response field line without a colon");
    }
    lineStart[lines] = from;
    lineColon[lines] = colon;
    lineEnd[lines] = to;
    dropped[lines] = false;
    lines++;
  }

  /** Decides the response's framing from the head between {@code start} and the reader index. */
  private boolean finishHead(int start, int statusEnd) {
    if (statusEnd - start < 12 || !AsciiBytes.is(in, start, 7, "http/1.") || in.getByte(start) != 'H'
        || in.getByte(start + 8) != ' ') {
      throw new BadUpstreamResponse("unparsable upstream response: bad status line");
    }
    int minor = in.getByte(start + 7) - '0';
    int status = 0;
    for (int i = start + 9; i < start + 12; i++) {
      int digit = in.getByte(i) - '0';
      if (digit < 0 || digit > 9) {
        throw new BadUpstreamResponse("unparsable upstream response: bad status code");
      }
      status = status * 10 + digit;
    }
    if (minor < 0 || minor > 9 || statusEnd > start + 12 && in.getByte(start + 12) != ' ') {
      throw new BadUpstreamResponse("unparsable upstream response: bad status line");
    }
    if (status < 100 || status > 599) {
      throw new BadUpstreamResponse("upstream status " + status + " outside 100..599");
    }
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    boolean keepAliveToken = false;
    int viaStart = -1;
    int viaEnd = -1;
    for (int line = 0; line < lines; line++) {
      int from = lineStart[line];
      int nameLength = lineColon[line] - from;
      int valueStart = AsciiBytes.skipSpace(in, lineColon[line] + 1, lineEnd[line]);
      int valueEnd = AsciiBytes.trimEnd(in, valueStart, lineEnd[line]);
      if (AsciiBytes.is(in, from, nameLength, "content-length")) {
        if (length >= 0 || valueEnd == valueStart || valueEnd - valueStart > 18) {
          throw new BadUpstreamResponse("unparsable upstream response: invalid or repeated Content-Length");
        }
        length = 0;
        for (int i = valueStart; i < valueEnd; i++) {
          int digit = in.getByte(i) - '0';
          if (digit < 0 || digit > 9) {
            throw new BadUpstreamResponse("unparsable upstream response: invalid Content-Length");
          }
          length = length * 10 + digit;
        }
      } else if (AsciiBytes.is(in, from, nameLength, "transfer-encoding")) {
        if (chunked || !AsciiBytes.is(in, valueStart, valueEnd - valueStart, "chunked")) {
          throw new BadUpstreamResponse("upstream transfer coding other than chunked");
        }
        chunked = true;
        dropped[line] = true;
      } else if (AsciiBytes.is(in, from, nameLength, "connection")) {
        dropped[line] = true;
        for (int token = valueStart; token <= valueEnd; ) {
          int comma = in.indexOf(token, valueEnd, (byte) ',');
          int tokenEnd = comma < 0 ? valueEnd : comma;
          int s = AsciiBytes.skipSpace(in, token, tokenEnd);
          int e = AsciiBytes.trimEnd(in, s, tokenEnd);
          if (AsciiBytes.is(in, s, e - s, "close")) {
            close = true;
          } else if (AsciiBytes.is(in, s, e - s, "keep-alive")) {
            keepAliveToken = true;
          } else if (e > s) {
            if (connectionNamed == null) {
              connectionNamed = new ArrayList<>(2);
            }
            connectionNamed.add(AsciiBytes.string(in, s, e));
          }
          token = tokenEnd + 1;
        }
      } else if (AsciiBytes.is(in, from, nameLength, "via")) {
        dropped[line] = true;
        if (viaStart < 0) {
          viaStart = valueStart;
          viaEnd = valueEnd;
        }
      } else if (AsciiBytes.isAny(in, from, nameLength, ProxyHeaders.HOP_BY_HOP_NAMES)) {
        dropped[line] = true;
      }
    }
    if (chunked && (length >= 0 || minor == 0)) {
      // RFC 9112 §6.1, §6.3: faulty framing, which ought to be handled as an error. The decoding path's client
      // (Netty's decoder) refuses both, so the two paths answer alike; nginx answers 502 too.
      throw new BadUpstreamResponse(length >= 0 ? "upstream response with both Content-Length and Transfer-Encoding"
          : "Transfer-Encoding in an HTTP/1.0 upstream response");
    }
    if (connectionNamed != null) {
      for (int line = 0; line < lines; line++) {
        if (AsciiBytes.isAny(in, lineStart[line], lineColon[line] - lineStart[line], connectionNamed)) {
          dropped[line] = true;
        }
      }
    }
    keepAlive = !close && (minor >= 1 || keepAliveToken);
    if (status < 200) {
      return interimResponse(start, statusEnd, status, viaStart, viaEnd);
    }
    if (!owner.response(status)) {
      return false;
    }
    boolean bodyless = headRequest || status == 204 || status == 304;
    boolean chunkedOut = length < 0 && status != 204 && status != 304;
    owner.head(downstreamHead(start, statusEnd, viaStart, viaEnd, chunkedOut, rewrite, owner.closeAfter()));
    if (bodyless || length == 0) {
      // A HEAD response's framing fields describe the GET's body, and none follows (RFC 9110 §9.3.2).
      complete(keepAlive);
    } else if (chunked) {
      state = CHUNK_SIZE;
      left = 0;
      chunkDigits = false;
    } else if (length > 0) {
      state = LENGTH;
      left = length;
    } else {
      state = UNTIL_CLOSE;
      keepAlive = false;
    }
    return true;
  }

  /** 100 is nobody's (this path sends no Expect), 103 goes to the client, others are dropped; at most 32. */
  private boolean interimResponse(int start, int statusEnd, int status, int viaStart, int viaEnd) {
    if (status == 101) {
      throw new BadUpstreamResponse("upstream sent 101 as its final response");
    }
    if (++interim > UpstreamGuard.MAX_INTERIM) {
      throw new BadUpstreamResponse("more than " + UpstreamGuard.MAX_INTERIM + " interim responses");
    }
    if (status == 103) {
      owner.earlyHints(downstreamHead(start, statusEnd, viaStart, viaEnd, false, HeaderRewrite.NONE, false));
    }
    return true;
  }

  private ByteBuf downstreamHead(int start, int statusEnd, int viaStart, int viaEnd, boolean chunkedOut,
                                 HeaderRewrite rewrite, boolean closeAfter) {
    int headEnd = in.readerIndex();
    AsciiBytes.Snapshot copy = pool.snapshot();
    copy.take(in, start, headEnd);
    ByteBuf out = ctx.alloc().directBuffer(headEnd - start + 64);
    out.writeBytes(STATUS_LINE);
    copy.copy(out, start + 9, statusEnd);
    out.writeBytes(AsciiBytes.CRLF);
    for (int line = 0; line < lines; line++) {
      int from = lineStart[line];
      if (dropped[line] || AsciiBytes.rewritten(in, from, lineColon[line] - from, rewrite.remove(), rewrite.set())) {
        continue;
      }
      copy.copy(out, from, lineEnd[line]);
      out.writeBytes(AsciiBytes.CRLF);
    }
    if (chunkedOut) {
      out.writeBytes(CHUNKED);
    }
    if (!AsciiBytes.rewrites("via", rewrite.remove(), rewrite.set())) {
      out.writeBytes(VIA);
      if (viaStart >= 0) {
        copy.copy(out, viaStart, viaEnd);
        out.writeByte(',').writeByte(' ');
      }
      out.writeBytes(VIA_HOP);
    }
    AsciiBytes.fields(out, rewrite.set());
    if (closeAfter) {
      out.writeBytes(CLOSE);
    }
    return out.writeBytes(AsciiBytes.CRLF);
  }

  /** Re-frames chunks: each data chunk gets a size line of its own (extensions dropped), its data passed as is. */
  private void chunked() {
    int limit = in.writerIndex();
    while (in.isReadable() && owner != null) {
      int c = in.getByte(in.readerIndex());
      switch (state) {
        case CHUNK_SIZE -> {
          int digit = Character.digit(c, 16);
          if (digit >= 0) {
            if (left >>> 59 != 0) {
              throw new BadUpstreamResponse("chunk size overflows");
            }
            left = left * 16 + digit;
            chunkDigits = true;
          } else if (chunkDigits && (c == ';' || c == ' ' || c == '\t')) {
            state = CHUNK_EXTENSION;
          } else if (chunkDigits && c == '\r') {
            state = CHUNK_SIZE_LF;
          } else if (chunkDigits && c == '\n') {
            startChunk();
            continue;
          } else {
            throw new BadUpstreamResponse("invalid chunk size line");
          }
          in.skipBytes(1);
        }
        case CHUNK_EXTENSION -> {
          if (c == '\r') {
            state = CHUNK_SIZE_LF;
          } else if (c == '\n') {
            startChunk();
            continue;
          } else if (c < 0x20 && c != '\t' || c == 0x7F) {
            throw new BadUpstreamResponse("invalid byte in a chunk extension");
          }
          in.skipBytes(1);
        }
        case CHUNK_SIZE_LF -> {
          if (c != '\n') {
            throw new BadUpstreamResponse("chunk size line not ended by CRLF");
          }
          startChunk();
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(left, limit - in.readerIndex());
          owner.body(in.readRetainedSlice(n));
          left -= n;
          if (left == 0) {
            state = CHUNK_DATA_CR;
          }
        }
        case CHUNK_DATA_CR -> {
          if (c == '\r') {
            state = CHUNK_DATA_LF;
            in.skipBytes(1);
          } else if (c == '\n') {
            state = CHUNK_DATA_LF;
          } else {
            throw new BadUpstreamResponse("chunk data not followed by CRLF");
          }
        }
        case CHUNK_DATA_LF -> {
          if (c != '\n') {
            throw new BadUpstreamResponse("chunk data not followed by CRLF");
          }
          in.skipBytes(1);
          owner.body(ctx.alloc().buffer(2).writeBytes(AsciiBytes.CRLF));
          state = CHUNK_SIZE;
          left = 0;
          chunkDigits = false;
        }
        case TRAILERS -> {
          if (!trailers()) {
            return;
          }
        }
        default -> throw new IllegalStateException("state " + state);
      }
    }
  }

  /** At the LF of a chunk-size line: a data chunk starts (its size line written), or the trailer section. */
  private void startChunk() {
    in.skipBytes(1);
    if (left == 0) {
      state = TRAILERS;
      return;
    }
    chunk(left);
    state = CHUNK_DATA;
  }

  private void chunk(long size) {
    ByteBuf line = ctx.alloc().buffer(18);
    AsciiBytes.hex(line, size);
    owner.body(line.writeBytes(AsciiBytes.CRLF));
  }

  /** The trailer section, once whole: its allowed fields relayed after the last chunk. */
  private boolean trailers() {
    int start = in.readerIndex();
    int limit = in.writerIndex();
    ByteBuf out = null;
    for (int at = start; ; ) {
      int lf = in.indexOf(at, limit, (byte) '\n');
      if (lf < 0) {
        if (out != null) {
          out.release();
        }
        if (limit - start > MAX_HEAD) {
          throw new BadUpstreamResponse("trailer section over " + MAX_HEAD + " bytes");
        }
        return false;
      }
      int contentEnd = lf > at && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      if (contentEnd == at) {
        in.readerIndex(lf + 1);
        if (out == null) {
          out = ctx.alloc().buffer(5).writeBytes(LAST_CHUNK);
        }
        owner.body(out.writeBytes(AsciiBytes.CRLF));
        complete(keepAlive);
        return true;
      }
      int colon = in.indexOf(at, contentEnd, (byte) ':');
      if (colon <= at) {
        if (out != null) {
          out.release();
        }
        throw new BadUpstreamResponse("invalid trailer field line");
      }
      for (int i = at; i < contentEnd; i++) {
        int c = in.getByte(i) & 0xFF;
        if (i < colon ? !AsciiBytes.TCHAR[c] : c < 0x20 && c != '\t' || c == 0x7F) {
          if (out != null) {
            out.release();
          }
          throw new BadUpstreamResponse("invalid byte " + c + " in a trailer field");
        }
      }
      if (!ProxyHeaders.isForbiddenTrailer(AsciiBytes.string(in, at, colon))
          && (connectionNamed == null || !AsciiBytes.isAny(in, at, colon - at, connectionNamed))) {
        if (out == null) {
          out = ctx.alloc().buffer(64).writeBytes(LAST_CHUNK);
        }
        out.writeBytes(in, at, contentEnd - at).writeBytes(AsciiBytes.CRLF);
      }
      at = lf + 1;
    }
  }

  private void complete(boolean reusable) {
    Owner done = owner;
    owner = null;
    state = IDLE;
    // Bytes after the response's end answer nothing: the connection is closed after this response.
    boolean bytesAfter = in != null && in.isReadable();
    if (reusable && bytesAfter && stats != null) {
      stats.badResponses++;
    }
    done.end(reusable && !bytesAfter && !requestCut);
  }

  private void fail(Throwable cause) {
    Owner failed = owner;
    owner = null;
    state = IDLE;
    ctx.close();
    if (failed != null) {
      failed.failed(cause, false, reused);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // What this read relayed goes to the client in one write.
    if (downstream != null) {
      downstream.flush();
      if (owner == null) {
        downstream = null;
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (owner != null) {
      owner.writable(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (in != null) {
      in.release();
      in = null;
    }
    Owner left = owner;
    owner = null;
    if (left == null) {
      return;
    }
    if (state == UNTIL_CLOSE) {
      ByteBuf last = ctx.alloc().buffer(5).writeBytes(LAST_CHUNK).writeBytes(AsciiBytes.CRLF);
      left.body(last);
      state = IDLE;
      left.end(false);
      return;
    }
    int was = state;
    state = IDLE;
    left.failed(new IOException(was == HEAD ? "upstream closed the connection before a response"
        : "upstream closed the connection before the response ended"), was == HEAD && !sawBytes, reused);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (owner != null && ctx.channel().isActive()
        && (cause instanceof ChannelOutputShutdownException || cause instanceof ClosedChannelException)) {
      // A write of the request failed, which (without AUTO_CLOSE, see ByteUpstreams) shut only the output down: the
      // upstream closed its side, often after answering without reading the body (a 413, a 204), and a client sending
      // a body watches for such an answer (RFC 9112 §9.5). Reading goes on: the answer, or the close, ends the try.
      requestCut = true;
      return;
    }
    Owner failed = owner;
    owner = null;
    int was = state;
    state = IDLE;
    ctx.close();
    if (failed != null) {
      failed.failed(cause, was == HEAD && !sawBytes, reused);
    }
  }

  /** Releases what a closed connection still holds. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (in != null) {
      ReferenceCountUtil.release(in);
      in = null;
    }
  }
}
