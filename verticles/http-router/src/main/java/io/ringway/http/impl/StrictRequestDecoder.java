package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's request decoder made strict where Netty is lenient, so a request a conforming server must refuse
 * never reaches a handler (and so never an upstream). A failed decoder result sends the request to the
 * server's invalid request handler, which answers with the status of its {@link RefusedRequest} (else 400)
 * and closes.
 *
 * <p>Each head's bytes go through {@link RequestHeadGrammar} as they arrive: a byte no request head may
 * contain is refused at once, without waiting for the rest of the head. A head that parsed then goes through
 * {@link RequestRules} (version, Host, request-target form, transfer codings), and Content-Length with
 * Transfer-Encoding is refused (Netty would drop the length). Chunk-size lines pass {@link ChunkExtensions}
 * first. What Netty refuses by itself is left to it: duplicate or invalid Content-Length, chunk sizes that
 * overflow, bad chunk terminators, over-long heads. Nothing more is read after a refused request or one that
 * asked to close.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  private final RequestHeadGrammar grammar = new RequestHeadGrammar();
  /** Stream offset of the cumulation buffer's reader index. */
  private long consumed;
  /** Stream offset up to which the current head was scanned. */
  private long scanned;
  private boolean inHead = true;
  private boolean inTrailers;
  /**
   * Nothing more is read on this connection: a head or chunk line was refused at a byte, or the last request
   * asked to close (RFC 9112 §9.6: no further request on it may be processed).
   */
  private boolean discarding;
  /** The request being read asked to close the connection after its response. */
  private boolean closeAfter;
  /** Why the head being read is refused for a field name a Vert.x server misreads, or null; reset by startHead. */
  private String misreadField;

  private final RequestPaths paths;

  StrictRequestDecoder(HttpServerOptions options, RequestPaths paths) {
    super(options);
    this.paths = paths;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (discarding) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    if (inHead && !scan(buffer)) {
      DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
          Unpooled.EMPTY_BUFFER);
      out.add(refuse(invalid, buffer, grammar.reason()));
      return;
    }
    if (!inHead && !inTrailers && ChunkExtensions.atTrailers(this)) {
      inTrailers = true;
      scanned = consumed;
      grammar.startTrailers();
    }
    if (inTrailers && !scan(buffer)) {
      out.add(refuse(new DefaultLastHttpContent(), buffer, "trailer section: " + grammar.reason()));
      return;
    }
    if (!inHead && ChunkExtensions.atChunkSize(this)
        && ChunkExtensions.inspect(buffer) == ChunkExtensions.INVALID) {
      out.add(refuse(new DefaultLastHttpContent(), buffer, "invalid chunk-size line (RFC 9112 §7.1)"));
      return;
    }
    int before = buffer.readerIndex();
    int firstNew = out.size();
    super.decode(ctx, buffer, out);
    consumed += buffer.readerIndex() - before;
    for (int i = firstNew; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpRequest request) {
        onHead(request);
      }
      if (message instanceof HttpObject failed && failed.decoderResult().isFailure()) {
        // Refused (here or by Netty, whose state is BAD_MESSAGE from then on): answered, then closed; a request
        // pipelined after it is never read.
        discarding = true;
        buffer.skipBytes(buffer.readableBytes());
      }
      if (message instanceof LastHttpContent) {
        if (closeAfter) {
          discarding = true;
          buffer.skipBytes(buffer.readableBytes());
        }
        // Netty returns right after a message's last content, so the next head starts at the reader index.
        startHead();
      }
    }
  }

  /**
   * Between two requests: the last one was read to its end, no byte of the next one came, and the connection may
   * carry another. Dropping this decoder then loses nothing.
   */
  boolean betweenRequests() {
    return inHead && !inTrailers && !discarding && !closeAfter && grammar.atStart() && !internalBuffer().isReadable();
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (discarding) {
      // Netty would report the head it had half read before the refusal as a second, premature failure.
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    super.decodeLast(ctx, buffer, out);
  }

  /** The message that fails this request, answered 400 by the server; nothing after it is read. */
  private HttpObject refuse(HttpObject message, ByteBuf buffer, String reason) {
    discarding = true;
    buffer.skipBytes(buffer.readableBytes());
    message.setDecoderResult(DecoderResult.failure(new RefusedRequest(400, reason)));
    return message;
  }

  private void onHead(HttpRequest request) {
    RefusedRequest refusal = request.decoderResult().isSuccess() ? RequestRules.check(request, paths) : null;
    if (refusal == null && misreadField != null && request.decoderResult().isSuccess()) {
      refusal = new RefusedRequest(400, misreadField);
    }
    if (refusal != null) {
      request.setDecoderResult(DecoderResult.failure(refusal));
      // The answer's status line carries the request's version: never echo one Ringway does not speak.
      if (request.protocolVersion().majorVersion() != 1) {
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
      }
    }
    HttpHeaders headers = request.headers();
    if (!request.decoderResult().isSuccess() || !H2cUpgrade.isUsable(request)) {
      // Vert.x's h2c upgrade handler sits after this decoder and looks at neither the decoder result nor a body:
      // a refused request, or one that cannot be upgraded, is answered (or forwarded) as HTTP/1.1 instead.
      H2cUpgrade.remove(headers);
    }
    closeAfter = request.protocolVersion() == HttpVersion.HTTP_1_1
        ? HeaderTokens.contains(headers, HttpHeaderNames.CONNECTION, "close")
        : !HeaderTokens.contains(headers, HttpHeaderNames.CONNECTION, "keep-alive");
    if (closeAfter && request.protocolVersion() == HttpVersion.HTTP_1_1
        && !headers.contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
      // "Connection: close, x" is a close too, but Vert.x only sees a field that is exactly "close".
      headers.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }

  /**
   * HTTP/1.x with x above 1 is read as HTTP/1.1 (RFC 9110 §2.5: the highest minor version of the same major one), from
   * the request line on: Netty's check of Transfer-Encoding, meant for HTTP/1.0, refuses every version but HTTP/1.1
   * exactly, so a chunked body in HTTP/1.2 was answered 400 (with "HTTP/1.2" in its status line).
   */
  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    HttpMessage message = super.createMessage(initialLine);
    HttpVersion version = message.protocolVersion();
    if (version.majorVersion() == 1 && version.minorVersion() > 1) {
      message.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    return message;
  }

  /**
   * A field name as its bytes spell it. Vert.x 5.0.10's decoder maps names to the well-known ones without looking at
   * their ninth byte, so "Content-Nength" (any byte there) was read as Content-Length, and the next request's first
   * bytes as this one's body: a request-smuggling desync with every other parser, nginx's and HAProxy's included, for
   * which it is a field of no meaning (RFC 9110 §5.1). The same byte of Content-Type went unchecked too. A Vert.x
   * upstream reads such a name so still: a head with one is refused.
   */
  @Override
  protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
    AsciiString name = super.splitHeaderName(sb, start, length);
    for (int i = 0; i < length; i++) {
      if (AsciiString.toLowerCase((char) sb[start + i]) != AsciiString.toLowerCase((char) name.byteAt(i))) {
        AsciiString sent = new AsciiString(sb, start, length, true);
        // A Vert.x upstream would misread it as this decoder did: the request is refused (MisreadFieldNames).
        misreadField = MisreadFieldNames.refusal(sent, name.toString());
        return sent;
      }
    }
    return name;
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new RefusedRequest(400, "Content-Length with Transfer-Encoding (RFC 9112 §6.1)");
  }

  private void startHead() {
    inHead = true;
    inTrailers = false;
    misreadField = null;
    scanned = consumed;
    grammar.reset();
  }

  /**
   * Feeds the unscanned bytes of the head (or trailer section) to the grammar; false when one of them cannot be
   * there.
   */
  private boolean scan(ByteBuf buffer) {
    int end = buffer.writerIndex();
    for (int i = buffer.readerIndex() + (int) (scanned - consumed); i < end; i++) {
      i = grammar.skipPlain(buffer, i, end);
      if (i == end) {
        break;
      }
      int verdict = grammar.next(buffer.getByte(i));
      if (verdict == RequestHeadGrammar.BAD) {
        return false;
      }
      if (verdict == RequestHeadGrammar.DONE) {
        inHead = false;
        inTrailers = false;
        return true;
      }
    }
    scanned = consumed + (end - buffer.readerIndex());
    return true;
  }
}
