package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's request decoder made strict where Netty is lenient, so ambiguous framing never reaches a
 * handler (and so never an upstream). A failed decoder result sends the request to the server's invalid
 * request handler, which answers 400 and closes.
 *
 * <p>What Netty 4.2 already refuses (and this class leaves to it): duplicate or invalid
 * {@code Content-Length}, bad chunk sizes and chunk terminators, bare LF line ends (strict line parsing
 * is on by default), over-long heads. What it accepts and this class refuses: {@code Content-Length}
 * with {@code Transfer-Encoding} (Netty drops the length), a {@code Transfer-Encoding} other than
 * {@code chunked} (Netty reads no body, a smuggling vector), and obs-fold continuation lines (Netty
 * joins them into the previous value, so only the raw bytes show them: they are scanned here while a
 * head is being read).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  /** Stream offset of the cumulation buffer's reader index. */
  private long consumed;
  /** Stream offset up to which the current head was scanned. */
  private long scanned;
  private boolean inHead = true;
  private int headLines;
  private boolean lineStart = true;
  private boolean lineEmpty = true;
  private boolean folded;

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (inHead) {
      scanHead(buffer);
    }
    int before = buffer.readerIndex();
    int firstNew = out.size();
    super.decode(ctx, buffer, out);
    consumed += buffer.readerIndex() - before;
    for (int i = firstNew; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpRequest request && request.decoderResult().isSuccess()) {
        refuseAmbiguous(request);
      }
      if (message instanceof LastHttpContent) {
        // Netty returns right after a message's last content, so the next head starts at the reader index.
        startHead();
      }
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException("Content-Length with Transfer-Encoding");
  }

  private void refuseAmbiguous(HttpRequest request) {
    if (folded) {
      request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("obs-fold in request head")));
      return;
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty() && (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked"))) {
      request.setDecoderResult(DecoderResult.failure(
          new IllegalArgumentException("Transfer-Encoding other than chunked: " + codings)));
    }
  }

  private void startHead() {
    inHead = true;
    scanned = consumed;
    headLines = 0;
    lineStart = true;
    lineEmpty = true;
    folded = false;
  }

  /** Looks for a line starting with SP or HTAB after the request line, up to the empty line ending the head. */
  private void scanHead(ByteBuf buffer) {
    int end = buffer.writerIndex();
    for (int i = buffer.readerIndex() + (int) (scanned - consumed); i < end; i++) {
      byte b = buffer.getByte(i);
      if (b == '\n') {
        if (!lineEmpty) {
          headLines++;
        } else if (headLines > 0) {
          inHead = false;
          scanned = consumed + (i + 1 - buffer.readerIndex());
          return;
        }
        lineStart = true;
        lineEmpty = true;
      } else if (b != '\r') {
        if (lineStart && headLines > 0 && (b == ' ' || b == '\t')) {
          folded = true;
        }
        lineStart = false;
        lineEmpty = false;
      }
    }
    scanned = consumed + (end - buffer.readerIndex());
  }
}
