package io.ringway.http.impl;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Sits after Netty's codec on each HTTP/1 upstream connection, between it and Vert.x's client, and keeps the
 * connection in sync with the requests sent on it (the router's client does not pipeline, so at most one is
 * in flight). Turns decoder failures and statuses outside 100..599 into {@link BadUpstreamResponse}; caps
 * interim (1xx) responses at {@link #MAX_INTERIM}; drops 1xx other than 100 and 103 (Vert.x would take a 102
 * for the final response and the real one for an answer to nothing); and closes a connection that sends bytes
 * no request asked for, before the pool can hand it out again.
 */
final class UpstreamGuard extends ChannelDuplexHandler {

  /** Interim responses allowed before one final response: more is a storm, refused. */
  static final int MAX_INTERIM = 32;
  private static final String NAME = "ringway-upstream-guard";

  /** The cluster counters of the request in flight, for what no request's failure can count. */
  private UpstreamStats stats;
  private boolean inFlight;
  private int interim;
  /** A dropped 1xx's empty end is dropped with it. */
  private boolean dropNextEnd;
  /** The final response whose end is held until the read completes, to see whether more bytes follow it. */
  private HttpResponse head;
  private LastHttpContent heldEnd;
  private boolean unsolicited;
  /** The connection failed and is closing: what the codec still emits is dropped. */
  private boolean broken;
  /** Requests written on the connection, counted up to two: a second one went on a reused connection. */
  private byte requests;
  /** Something of an answer to the request in flight was read (a whole status line at least). */
  private boolean answering;

  /** Vert.x's connect handler of the HTTP/1 client: installs the guard behind the codec. */
  static void install(HttpConnection connection) {
    connection.exceptionHandler(UpstreamGuard::ignore);
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get("codec") != null && pipeline.get(NAME) == null) {
        pipeline.addAfter("codec", NAME, new UpstreamGuard());
        // A failed write shuts the output down, not the connection: an upstream that answered without reading the
        // body and closed (a 413, a 204) has its answer read and relayed rather than a 502 (RFC 9112 §9.5). Vert.x
        // writes with promises that report nothing, so the failure goes unseen until the answer or the close.
        pipeline.channel().config().setAutoClose(false);
      }
    }
  }

  /**
   * An upstream connection's exception handler: each error also fails the request in flight, which counts
   * it, and one with no request in flight is the guard's to count; none is worth Vert.x's SEVERE line.
   */
  static void ignore(Throwable error) {
  }

  /**
   * Points the guard of {@code connection}, if it has one, at the counters of the cluster now using it.
   *
   * @return the guard, or null on a connection without one (HTTP/2)
   */
  static UpstreamGuard bind(HttpConnection connection, UpstreamStats stats) {
    if (connection instanceof ConnectionBase base
        && base.channelHandlerContext().pipeline().get(NAME) instanceof UpstreamGuard guard) {
      guard.stats = stats;
      return guard;
    }
    return null;
  }

  /**
   * Whether the request in flight went on a connection that had carried one before, and nothing of an answer came: an
   * idle pooled connection the upstream was closing as the request went out (a partial status line is not seen).
   */
  boolean reusedAndUnanswered() {
    return requests > 1 && !answering;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest) {
      inFlight = true;
      interim = 0;
      answering = false;
      if (requests < 2) {
        requests++;
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject object)) {
      ctx.fireChannelRead(msg);
      return;
    }
    answering = true;
    if (broken) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!inFlight || heldEnd != null) {
      // Bytes after the end of the response, or with no request sent: they must never answer the next one.
      ReferenceCountUtil.release(msg);
      if (!unsolicited) {
        unsolicited = true;
        count();
        if (heldEnd == null) {
          ctx.close();
        }
      }
      return;
    }
    if (object.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      fail(ctx, "unparsable upstream response: " + object.decoderResult().cause().getMessage());
      return;
    }
    if (msg instanceof HttpResponse response) {
      int status = response.status().code();
      if (response.protocolVersion().majorVersion() != 1) {
        ReferenceCountUtil.release(msg);
        fail(ctx, "upstream answered in " + response.protocolVersion());
        return;
      }
      if (status < 100 || status > 599) {
        ReferenceCountUtil.release(msg);
        fail(ctx, "upstream status " + status + " outside 100..599");
        return;
      }
      if (status < 200 && status != 101) {
        if (++interim > MAX_INTERIM) {
          ReferenceCountUtil.release(msg);
          fail(ctx, "more than " + MAX_INTERIM + " interim responses");
          return;
        }
        if (status != 100 && status != 103) {
          dropNextEnd = true;
          ReferenceCountUtil.release(msg);
          return;
        }
      } else {
        head = response;
      }
      ctx.fireChannelRead(msg);
      if (status == 101) {
        // A WebSocket tunnel from here on: Vert.x removed the codec and the bytes are no longer HTTP.
        ctx.pipeline().remove(this);
      }
      return;
    }
    if (msg instanceof LastHttpContent end) {
      if (dropNextEnd) {
        dropNextEnd = false;
        end.release();
        return;
      }
      if (head != null) {
        heldEnd = end;
        inFlight = false;
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    releaseEnd(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseEnd(ctx);
    super.channelInactive(ctx);
    ClosedConnectionReads.release(ctx.pipeline());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (heldEnd != null) {
      heldEnd.release();
      heldEnd = null;
    }
  }

  /** Lets the held end through; with unsolicited bytes behind it, as the end of a last response. */
  private void releaseEnd(ChannelHandlerContext ctx) {
    if (heldEnd == null) {
      return;
    }
    LastHttpContent end = heldEnd;
    heldEnd = null;
    // A write of the request failed: the connection can carry nothing more.
    boolean unusable = unsolicited || ctx.channel() instanceof DuplexChannel duplex && duplex.isOutputShutdown();
    if (unusable) {
      // Vert.x reads Connection at the response's end: close keeps the connection out of the pool.
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    head = null;
    ctx.fireChannelRead(end);
    if (unusable) {
      ctx.close();
    }
  }

  private void fail(ChannelHandlerContext ctx, String why) {
    inFlight = false;
    broken = true;
    // Vert.x fails the request in flight with it and closes the connection.
    ctx.fireExceptionCaught(new BadUpstreamResponse(why));
  }

  private void count() {
    if (stats != null) {
      stats.badResponses++;
    }
  }
}
