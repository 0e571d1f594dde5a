package io.ringway.http.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.impl.ShutdownEvent;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drains one HTTP/1 connection: once its listener stops, the next final response says
 * {@code connection: close} and the connection closes after it; a connection with no request open is
 * closed after a delay spread over the drain's close window, and a request arriving meanwhile is answered
 * (with {@code connection: close}) rather than cut. Sits between the codec and Vert.x's handler, and stays for the
 * connection's whole life (through a tunnelled upgrade too), so it is also what tells the listener's
 * {@link Http1IdleTimeout} of the connection's activity.
 *
 * <p>A final response that says {@code connection: close} (the drain's, an error's, an HTTP/1.0 body that ends with
 * the connection) is the connection's last: it closes once that response is out, and a request read behind it
 * (pipelined) is neither routed ({@link #readBehindLastResponse}) nor answered, as nginx and HAProxy do. Vert.x would
 * answer it on the connection it keeps open or is closing, where the client takes the answer for the rest of the one
 * before.
 */
final class Http1Drain extends ChannelDuplexHandler {

  static final String NAME = "ringway-drain";
  /** On the channel once its last response was written: the router asks the channel per request, not the handler. */
  private static final AttributeKey<Boolean> LAST_RESPONSE_WRITTEN =
      AttributeKey.valueOf("ringway.lastResponseWritten");
  private static final ClosedChannelException CLOSED = new ClosedChannelException();

  private final ListenerDrain drain;
  private final ListenerStats stats;
  /** Requests read whose final response has not been written to its end yet (more than one when pipelined). */
  private int open;
  /** Whether the final response being written said {@code connection: close}. */
  private boolean closeAfterResponse;
  /** That response was written to its end: nothing written after it reaches the client. */
  private boolean lastResponseWritten;
  private boolean draining;
  /** A final response was written to its end since the connection has this handler ({@link #answeredNone}). */
  private boolean answeredOne;
  /** After a 101: the bytes are no longer HTTP/1 messages; the listener's deadline ends the tunnel. */
  private boolean upgraded;
  /** A request's head was read and the end of its body not yet. */
  private boolean reading;
  /** The request in hand waits in its cluster's queue: no try of it was sent yet. */
  private boolean waitingInQueue;
  /** The client shut its sending side: the connection closes once every request read whole is answered. */
  private boolean inputEnded;
  private ScheduledFuture<?> idleClose;
  /** Null when the connection has no idle timeout, or Vert.x's own handler times it. */
  private final Http1IdleTimeout idleTimeout;
  private Http1IdleTimeout.Entry idle;

  Http1Drain(ListenerDrain drain, ListenerStats stats, Http1IdleTimeout idleTimeout) {
    this.drain = drain;
    this.stats = stats;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (idleTimeout != null) {
      idle = idleTimeout.add(ctx);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopIdleTimeout();
  }

  /** A write failing on the closed connection afterwards must not put it back in the order. */
  private void stopIdleTimeout() {
    if (idle != null) {
      idle.remove();
      idle = null;
    }
  }

  /** Whether {@code request} was read behind its connection's last response: it is dropped, not routed. */
  static boolean readBehindLastResponse(HttpServerRequest request) {
    return request.connection() instanceof HttpServerConnection internal
        && internal.channelHandlerContext().channel().hasAttr(LAST_RESPONSE_WRITTEN);
  }

  /**
   * Whether {@code request}, the HTTP/1 one in hand, is the first of its connection since the connection has this
   * handler: none was answered before it (Vert.x hands the router a connection's next request only once the answer to
   * the one before was written). A parked connection that woke, or one the byte-level path handed over, starts again:
   * its next request is taken for a first one, which costs no more than a new upstream connection. False for HTTP/2.
   */
  static boolean answeredNone(HttpServerRequest request) {
    Http1Drain drain = of(request);
    return drain != null && !drain.answeredOne;
  }

  /**
   * Whether {@code request} is an HTTP/1 one its connection answered another before, since the connection has this
   * handler ({@link #answeredNone}): false for HTTP/2.
   */
  static boolean answeredBefore(HttpServerRequest request) {
    Http1Drain drain = of(request);
    return drain != null && drain.answeredOne;
  }

  /**
   * Tells {@code request}'s HTTP/1 connection whether the request waits in its cluster's queue; one that waits when
   * the client's input ended, or whose client's input ended already, is cancelled by closing the connection.
   */
  static void waitsInQueue(HttpServerRequest request, boolean waiting) {
    Http1Drain drain = of(request);
    if (drain != null) {
      drain.waitingInQueue = waiting;
      if (waiting && drain.inputEnded) {
        ((HttpServerConnection) request.connection()).channelHandlerContext().channel().close();
      }
    }
  }

  /** The handler of {@code request}'s HTTP/1 connection; null for HTTP/2. */
  private static Http1Drain of(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_2 && request.connection() instanceof HttpServerConnection internal
        && internal.channelHandlerContext().pipeline().get(NAME) instanceof Http1Drain drain ? drain : null;
  }

  /** No request open, no tunnel, no drain: what a keep-alive connection is between two requests. */
  boolean betweenRequests() {
    return open == 0 && !upgraded && !draining && idleClose == null;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof ShutdownEvent) {
      // Not passed on: Vert.x would close the connection at once if idle, and drop what it reads next.
      start(ctx);
      return;
    }
    if (event instanceof ChannelInputShutdownEvent) {
      // After the decoder made what it could of the bytes left (a head cut short is an invalid request, answered 400).
      inputEnded = true;
      if (waitingInQueue) {
        // A FIN is a half-close or a client that left; a request no upstream saw yet is dropped as a left client's
        // (HAProxy's abortonclose): a saturated cluster does no work for clients that gave up. The close cancels it.
        ctx.close();
      } else if (upgraded || wholeUnanswered() == 0) {
        // A tunnel (which ends with either side, as before), or nothing left to answer: a request whose body the end
        // of input cut short is not (its head may have been read, its answer would not be to the request sent).
        closeAfterWritten(ctx);
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  void start(ChannelHandlerContext ctx) {
    if (draining) {
      return;
    }
    draining = true;
    if (open == 0 && !upgraded) {
      scheduleIdleClose(ctx);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (idle != null) {
      idle.touch();
    }
    if (msg instanceof HttpRequest) {
      open++;
      // An invalid one (a head the end of input cut short among them) is answered 400 in its turn; no body follows.
      reading = !((HttpRequest) msg).decoderResult().isFailure();
      if (idleClose != null) {
        idleClose.cancel(false);
        idleClose = null;
      }
    }
    if (msg instanceof LastHttpContent) {
      reading = false;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (!ctx.channel().isActive()) {
      // Failed here, not in the channel: there the failure comes from inside Netty 4.2's HttpObjectEncoder, whose
      // list of encoded messages is a field, and a listener that closes has Vert.x write once more through the same
      // encoder, which then writes, and releases, the first message twice (a pooled buffer released twice may be
      // another's by then). A client that reset its connection inside a request head did it: the decoder makes the
      // head an invalid request as the connection goes, and its 400 is written to the closed connection.
      drop(msg, promise);
      return;
    }
    if (idle != null) {
      idle.touch();
    }
    if (lastResponseWritten && msg instanceof HttpObject) {
      // An answer to a request read behind the last response (Vert.x's empty write before its own close passes).
      drop(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse response && response.status().code() >= 200) {
      if (response.protocolVersion() == io.netty.handler.codec.http.HttpVersion.HTTP_1_0) {
        answerInHttp11(response);
      }
      if (response.status().code() == 101) {
        upgraded = true;
        if (inputEnded) {
          // A tunnel to a client that sent its last byte already: it ends with either side, as it always did.
          super.write(ctx, msg, promise.unvoid().addListener(ChannelFutureListener.CLOSE));
          return;
        }
      } else if (draining && open <= 1 || inputEnded && wholeUnanswered() <= 1) {
        // Not while a pipelined request waits behind this one: the connection closes after the last.
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closeAfterResponse = true;
        if (draining) {
          stats.drainConnectionClose++;
        }
      } else if (HeaderTokens.contains(response.headers(), HttpHeaderNames.CONNECTION, "close")) {
        closeAfterResponse = true;
      }
    }
    if (msg instanceof LastHttpContent && !upgraded && open > 0 && isFinal(msg)) {
      open--;
      answeredOne = true;
      if (closeAfterResponse) {
        lastResponseWritten = true;
        ctx.channel().attr(LAST_RESPONSE_WRITTEN).set(Boolean.TRUE);
        super.write(ctx, msg, promise.unvoid().addListener(ChannelFutureListener.CLOSE));
        return;
      }
      if (inputEnded && wholeUnanswered() == 0) {
        // Its head went out before the client shut its side: the last answer it waits for.
        super.write(ctx, msg, promise.unvoid().addListener(ChannelFutureListener.CLOSE));
        return;
      }
      if (draining && open == 0) {
        // The response head went out before the drain began; the client learns nothing, so idle rules apply.
        scheduleIdleClose(ctx);
      }
    }
    super.write(ctx, msg, promise);
  }

  /**
   * An answer to an HTTP/1.0 request in an HTTP/1.1 status line (RFC 9110 §6.2: a server SHOULD send the highest
   * version it conforms to below the request's major; nginx and HAProxy do), where Vert.x writes the request's version.
   * Vert.x says {@code keep-alive} when it keeps the connection, which an HTTP/1.0 client needs; every other answer now
   * says {@code connection: close} (the connection closes after it, as before), since a recipient of an HTTP/1.1 answer
   * without it takes the connection to persist (RFC 9112 §9.3).
   */
  private static void answerInHttp11(HttpResponse response) {
    response.setProtocolVersion(io.netty.handler.codec.http.HttpVersion.HTTP_1_1);
    if (!HeaderTokens.contains(response.headers(), HttpHeaderNames.CONNECTION, "keep-alive")) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }

  /** A write the connection will not take: released, and its promise failed. */
  private static void drop(Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    if (!promise.isVoid()) {
      promise.tryFailure(CLOSED);
    }
  }

  /** Requests read whole (their body too) whose final response was not written to its end yet. */
  private int wholeUnanswered() {
    return reading ? open - 1 : open;
  }

  /** A full response counts; an interim one (100, 103) written as a whole does not end the exchange. */
  private static boolean isFinal(Object msg) {
    return !(msg instanceof HttpResponse response) || response.status().code() >= 200;
  }

  /** Closes once what was written is out (an empty write behind it, as Vert.x closes). */
  private static void closeAfterWritten(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void scheduleIdleClose(ChannelHandlerContext ctx) {
    long delay = drain.spreadDelayMillis();
    idleClose = ctx.executor().schedule(() -> {
      idleClose = null;
      if (open == 0 && ctx.channel().isActive()) {
        stats.drainIdleClosed++;
        ctx.close();
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (idleClose != null) {
      idleClose.cancel(false);
    }
    stopIdleTimeout();
    super.channelInactive(ctx);
    ClosedConnectionReads.release(ctx.pipeline());
  }
}
