package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A client connection on the byte-level path: its only handler, from the first request the path took until it closes
 * or a request goes to the decoding path. Requests are read one at a time; a request's body goes to its exchange in
 * pieces as read, as fast as the upstream takes it; bytes after it that come while the request is in flight
 * (pipelining) wait, and the connection stops reading until its response ended. When a response ends before its
 * request's body was read, the rest of the body is read and dropped, as the decoding path does, unless the router
 * answered with an error of its own, which closes the connection. A head that is not whole waits for
 * the rest until the listener's {@code headerReadTimeout} (then 408), and a connection between two requests closes
 * quietly after the listener's {@code idleTimeout}, as does one whose body stops coming for as long. Loop thread only.
 *
 * <p>It is what an idle keep-alive connection of the path holds beyond Netty's channel, so it is one object (issue 17):
 * its own deadline entry, its own link in the path's list of connections, and it counts its own close instead of a
 * listener on the channel's close future. It extends the deadline entry, so it implements Netty's handler interface
 * itself rather than extending its adapter class, and passes on the events it does not handle.
 */
final class ByteConnection extends RequestDeadlines.Entry implements ChannelInboundHandler {

  static final String NAME = "ringwayBytes";

  private final ByteLevelHttp1 path;
  /** Its neighbours in the path's list of connections. */
  ByteConnection previousOnPath;
  ByteConnection nextOnPath;
  private ChannelHandlerContext ctx;
  /** Bytes read and not yet taken by a request; null when none. */
  private ByteBuf held;
  private ByteExchange exchange;
  /** Body bytes of the request in flight not read yet. */
  private long bodyLeft;
  /** The client asked to close after the response in flight, or the listener drains. */
  private boolean closeAfter;
  /** Closing after a response: nothing read from now on is a request. */
  private boolean closing;
  private boolean processing;
  /**
   * The client shut its sending side: what it sent whole is answered, then the connection closes; a head or body cut
   * short by it is not waited for.
   */
  private boolean inputEnded;
  /** The path took a request from this connection since it has this handler (a parked one that woke starts over). */
  private boolean tookOne;
  /**
   * The path counted the connection when it took it from its gate, so its close is the path's to count (until it goes
   * to the decoding path); false for a parked one that woke, which the decoding path counted.
   */
  private boolean countsClose;

  ByteConnection(ByteLevelHttp1 path, boolean countsClose) {
    this.path = path;
    this.countsClose = countsClose;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  Channel channel() {
    return ctx.channel();
  }

  /**
   * Whether the connection closes after the response in flight, asked as its head is written (which then says
   * {@code connection: close}): the client asked, the listener drains (counted as the drain's), or the client's input
   * ended after this request.
   */
  boolean closeAfterResponse() {
    if (path.draining() && !closeAfter) {
      closeAfter = true;
      path.stats().drainConnectionClose++;
    }
    if (inputEnded && bodyLeft == 0 && (held == null || !held.isReadable())) {
      // The client's last request: nothing follows it.
      closeAfter = true;
    }
    return closeAfter;
  }

  /** The client's address as x-forwarded-for writes it (as the decoding path does: an IPv6 address not shortened). */
  String client() {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress address
        ? address.getAddress().getHostAddress() : "unknown";
  }

  /**
   * Writes {@link #client()} to {@code out}; an IPv4 address from its four bytes, with nothing kept or made on the
   * heap: a copy of the address per connection would be 32 B of every idle one (issue 17).
   */
  void writeClient(ByteBuf out) {
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress address
        && address.getAddress() instanceof Inet4Address ip) {
      // Constant indices: the JIT's escape analysis can then take the array the address copies itself into off the
      // heap (with a loop over it, it was 24 B per request).
      byte[] octets = ip.getAddress();
      writeDecimal(out, octets[0] & 0xff);
      out.writeByte('.');
      writeDecimal(out, octets[1] & 0xff);
      out.writeByte('.');
      writeDecimal(out, octets[2] & 0xff);
      out.writeByte('.');
      writeDecimal(out, octets[3] & 0xff);
    } else {
      out.writeCharSequence(client(), StandardCharsets.US_ASCII);
    }
  }

  private static void writeDecimal(ByteBuf out, int octet) {
    if (octet >= 100) {
      out.writeByte('0' + octet / 100);
    }
    if (octet >= 10) {
      out.writeByte('0' + octet / 10 % 10);
    }
    out.writeByte('0' + octet % 10);
  }

  /** Starts with the bytes its gate read. */
  void start(ByteBuf first) {
    held = first;
    if (!ctx.channel().isActive()) {
      // Closed before it got here: its inactive event may have gone by already, and if it comes it counts nothing.
      releaseHeld();
      closedOnPath();
      return;
    }
    process();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf bytes = (ByteBuf) msg;
    if (closing) {
      bytes.release();
      return;
    }
    held = held == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, bytes);
    if (bodyLeft > 0) {
      body();
    }
    if (exchange != null) {
      if (bodyLeft == 0 && held != null) {
        // Pipelined: read again only once the response in flight ended.
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    process();
  }

  /** Takes requests from {@link #held} while there are whole ones and none is in flight. */
  private void process() {
    if (processing) {
      return;
    }
    processing = true;
    try {
      while (exchange == null && bodyLeft == 0 && !closing && ctx.channel().isActive()) {
        if (held == null || !held.isReadable()) {
          releaseHeld();
          cancelDeadline();
          if (inputEnded) {
            closing = true;
            closeAfterWritten(ctx.channel());
            return;
          }
          waitFor(path.idle());
          return;
        }
        int verdict = path.take(this, held);
        if (verdict == ByteRequestHead.INCOMPLETE && inputEnded) {
          cancelDeadline();
          closing = true;
          releaseHeld();
          path.stats().badRequests++;
          LocalResponses.incompleteRequest(ctx);
          return;
        }
        if (verdict == ByteRequestHead.INCOMPLETE) {
          // Timed from the head's first byte, not again with each read: a head sent a byte at a time still ends.
          if (waitingIn() != path.headTimeout()) {
            cancelDeadline();
            waitFor(path.headTimeout());
          }
          ctx.channel().config().setAutoRead(true);
          return;
        }
        cancelDeadline();
        if (verdict == ByteRequestHead.HAND_OVER) {
          handOverToDecoder();
          return;
        }
        if (bodyLeft > 0 && held != null && held.isReadable()) {
          body();
        } else if (bodyLeft > 0) {
          waitFor(path.idle());
        }
        if (abandonedAtInputEnd()) {
          // Taken after the end of input (pipelined behind an answered request).
          ctx.close();
          return;
        }
        if (held != null && !held.isReadable()) {
          // The head was copied into the upstream one: the read buffer goes back to its pool while the exchange runs.
          releaseHeld();
        }
      }
    } finally {
      processing = false;
    }
  }

  /** Waits in {@code deadlines}: for the next head (idle) or the rest of one (head timeout); none if null. */
  private void waitFor(RequestDeadlines deadlines) {
    if (deadlines != null && waitingIn() == null) {
      deadlines.add(this);
    }
  }

  @Override
  void expired(RequestDeadlines was) {
    Channel channel = ctx.channel();
    if (bodyLeft > 0 && channel.isActive()) {
      // The body stopped coming: as the decoding path's idle timeout closes such a connection.
      channel.close();
      return;
    }
    if (exchange != null || !channel.isActive()) {
      return;
    }
    if (was == path.headTimeout()) {
      path.stats().headerTimeouts++;
      releaseHeld();
      LocalResponses.requestTimeout(channel);
    } else {
      channel.close();
    }
  }

  /** Counts a request the path takes; true when it is the first since the connection has this handler. */
  boolean takeRequest() {
    boolean first = !tookOne;
    tookOne = true;
    return first;
  }

  /** A request was taken: its exchange is in flight from now, and {@code bodyLength} bytes of body follow its head. */
  void started(ByteExchange started, boolean closeAfter, long bodyLength) {
    this.exchange = started;
    this.closeAfter |= closeAfter;
    this.bodyLeft = bodyLength;
  }

  /** Hands the exchange the body bytes held, up to its end; waits for more for the idle timeout. */
  private void body() {
    ByteBuf bytes = held;
    int n = (int) Math.min(bodyLeft, bytes.readableBytes());
    bodyLeft -= n;
    ByteBuf piece;
    if (n == bytes.readableBytes()) {
      piece = bytes;
      held = null;
    } else {
      piece = bytes.readRetainedSlice(n);
    }
    cancelDeadline();
    if (bodyLeft > 0) {
      waitFor(path.idle());
    }
    if (exchange != null) {
      exchange.body(piece);
    } else {
      // Answered before the body was all read: the rest is read only to find the next request.
      piece.release();
      if (bodyLeft == 0) {
        process();
      }
    }
  }

  /**
   * The connection closes after the exchange in flight, and takes no request read after it: the router answered with
   * an error of its own before the body was all read, or the response was cut short.
   */
  void closeAfterError() {
    closeAfter = true;
  }

  /** Whether the body of the request in flight is read on: the exchange's flow control. */
  void readBody(boolean on) {
    if (bodyLeft > 0) {
      ctx.channel().config().setAutoRead(on);
    }
  }

  /** The exchange in flight ended (its response written, or its error, or the client gone). */
  void exchangeDone() {
    exchange = null;
    Channel channel = ctx.channel();
    if (!channel.isActive()) {
      return;
    }
    if (closeAfter || path.draining()) {
      closing = true;
      releaseHeld();
      closeAfterWritten(channel);
      return;
    }
    channel.config().setAutoRead(true);
    if (bodyLeft == 0) {
      process();
    }
  }

  /**
   * Closes once what was written is out: at once when nothing is still on its way (no empty write: the io_uring
   * channel would send it, and a connection this path keeps carries no filter for it), else after an empty write
   * queued behind the rest.
   */
  private static void closeAfterWritten(Channel channel) {
    ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
    if (pending != null && pending.isEmpty() && pending.totalPendingWriteBytes() == 0) {
      channel.close();
    } else {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The listener drains: the connection closes after the response in flight, or after {@code delayMillis} if idle. */
  void drain(long delayMillis, ListenerStats stats) {
    if (exchange == null) {
      ctx.channel().eventLoop().schedule(() -> {
        if (exchange == null && ctx.channel().isActive()) {
          stats.drainIdleClosed++;
          ctx.channel().close();
        }
      }, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Gives the connection to the decoding path with the bytes held (the head it did not take first): Vert.x builds its
   * pipeline behind this handler, which leaves, and the bytes enter that pipeline from its head.
   */
  void handOverToDecoder() {
    cancelDeadline();
    Channel channel = ctx.channel();
    ByteBuf bytes = held;
    held = null;
    channel.config().setAutoRead(true);
    path.handedOver(this, countsClose);
    countsClose = false;
    path.handOver().accept(channel);
    // Out of the way first: on an h2c listener the wake-up below sends the sniffer's CRLF down the pipeline.
    ctx.pipeline().remove(this);
    KeepAliveParking.woken(channel);
    // Maybe outside a read (a pipelined head after a response): a read-complete is fired after them.
    UnreadConnections.enter(channel, bytes, true);
    if (inputEnded && channel.isActive()) {
      // This handler took the event: the decoding path hears it after the bytes, as it would have from the socket.
      channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.downstreamWritable(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    releaseHeld();
    ByteExchange gone = exchange;
    exchange = null;
    if (gone != null) {
      gone.clientGone();
    }
    closedOnPath();
    ctx.fireChannelInactive();
  }

  /** Tells the path it closed, counting its close once if the path counted it. */
  private void closedOnPath() {
    path.closed(this, countsClose);
    countsClose = false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset or a broken pipe: the exchange hears of it from the close.
    ctx.close();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  @Override
  public void channelRegistered(ChannelHandlerContext ctx) {
    ctx.fireChannelRegistered();
  }

  @Override
  public void channelUnregistered(ChannelHandlerContext ctx) {
    ctx.fireChannelUnregistered();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      inputEnded();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  /** The client shut its sending side (the event comes after every byte it sent was read). */
  private void inputEnded() {
    inputEnded = true;
    if (abandonedAtInputEnd()) {
      ctx.close();
    } else if (exchange == null && !closing) {
      process();
    }
    // Else the exchange in flight is answered first; exchangeDone goes on with what is held.
  }

  /**
   * Whether the end of input ends the request in hand unanswered: its body was cut short (it cannot be forwarded
   * whole), or it still waits in its cluster's queue. A FIN is a half-close or a client that left, and the two look the
   * same; a queued request is dropped as a left client's (HAProxy's {@code abortonclose}), so a saturated cluster
   * does no work for clients that gave up, while one already sent is answered.
   */
  private boolean abandonedAtInputEnd() {
    return inputEnded && (bodyLeft > 0 || exchange != null && exchange.waitsInQueue());
  }

  private void releaseHeld() {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
