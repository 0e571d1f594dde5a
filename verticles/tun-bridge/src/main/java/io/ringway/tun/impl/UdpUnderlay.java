package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.function.BiConsumer;

/**
 * The UDP socket peers talk to, as a Netty channel of the Vert.x transport registered on the
 * bridge's own event loop (so datagrams and TUN completions share one thread and one ring). Used
 * directly rather than through Vert.x's {@code DatagramSocket}, which resolves the host string of
 * every send, copies every datagram read, and reads one datagram per wake-up.
 */
public final class UdpUnderlay {

  /** Socket buffers: a burst of full-MTU packets from the TUN device must not overflow them. */
  private static final int SOCKET_BUFFER = 4 << 20;

  private final DatagramChannel channel;
  private final boolean batchFlush;
  private final Runnable flush;
  private boolean flushScheduled;
  private long errors;

  private UdpUnderlay(DatagramChannel channel, boolean batchFlush) {
    this.channel = channel;
    this.batchFlush = batchFlush;
    this.flush = () -> {
      flushScheduled = false;
      channel.flush();
    };
  }

  /**
   * Binds {@code host:port} on {@code loop}. {@code onDatagram} gets each datagram's bytes and
   * sender on the loop; the buffer is only valid during the call. Datagrams longer than
   * {@code maxDatagram} arrive cut to {@code maxDatagram + 1} bytes, so a length check catches them.
   *
   * @param batchFlush flush once per loop iteration rather than per datagram. Measured here with
   *     one TCP stream through the tunnel: on epoll about 3× the throughput (one sendmmsg per burst
   *     instead of a sendmsg per packet); on io_uring about half, so io_uring flushes per datagram
   * @param reusePort set SO_REUSEPORT, so each lane of a multi-queue tunnel binds its own socket to
   *     the one port (the kernel spreads datagrams over them by a hash of the addresses)
   */
  public static Future<UdpUnderlay> bind(VertxInternal vertx, EventLoop loop, String host, int port, int maxDatagram,
      boolean batchFlush, boolean reusePort, BiConsumer<ByteBuf, InetSocketAddress> onDatagram) {
    // A literal only: this runs on the event loop, where a DNS lookup must not happen.
    byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
    if (literal == null) {
      return Future.failedFuture(new IllegalArgumentException("tun.listenHost \"" + host + "\" is not an IP address"));
    }
    InetAddress address;
    try {
      address = InetAddress.getByAddress(literal);
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    DatagramChannel channel = vertx.transport().datagramChannel(
        address instanceof Inet6Address ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4);
    channel.config().setOption(ChannelOption.SO_RCVBUF, SOCKET_BUFFER);
    channel.config().setOption(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(maxDatagram + 1));
    if (reusePort && !channel.config().setOption(UnixChannelOption.SO_REUSEPORT, true)) {
      return Future.failedFuture(new IllegalStateException("tun.multiQueue: this transport's UDP socket has no SO_REUSEPORT"));
    }
    UdpUnderlay underlay = new UdpUnderlay(channel, batchFlush);
    channel.pipeline().addLast(underlay.new Reader(onDatagram));
    Promise<UdpUnderlay> bound = Promise.promise();
    loop.register(channel).addListener(registered -> {
      if (!registered.isSuccess()) {
        bound.fail(registered.cause());
        return;
      }
      channel.bind(new InetSocketAddress(address, port)).addListener(done -> {
        if (done.isSuccess()) {
          bound.complete(underlay);
        } else {
          channel.close();
          bound.fail(new IllegalStateException("cannot bind UDP " + host + ":" + port + ": " + done.cause().getMessage(),
              done.cause()));
        }
      });
    });
    return bound.future();
  }

  private final class Reader extends SimpleChannelInboundHandler<DatagramPacket> {

    private final BiConsumer<ByteBuf, InetSocketAddress> onDatagram;

    Reader(BiConsumer<ByteBuf, InetSocketAddress> onDatagram) {
      this.onDatagram = onDatagram;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      onDatagram.accept(packet.content(), packet.sender());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // An ICMP port unreachable for an earlier send, or a handler failure, surfaces here; the
      // socket stays usable, so count it and go on.
      errors++;
    }
  }

  /**
   * Sends the readable bytes of {@code datagram} and takes ownership of it: Netty releases it once
   * written, and also when the write fails (no route, buffer full, channel closed), which loses the
   * datagram like any UDP datagram and is counted in {@link #errors}. Call on the loop. With
   * {@code batchFlush} the flush runs once after the loop has handled everything that was ready, so a
   * burst read from the TUN device leaves in one sendmmsg.
   */
  public void send(ByteBuf datagram, InetSocketAddress to) {
    DatagramPacket packet = new DatagramPacket(datagram, to);
    if (!batchFlush) {
      channel.writeAndFlush(packet, channel.voidPromise());
      return;
    }
    channel.write(packet, channel.voidPromise());
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flush);
    }
  }

  /** The channel's allocator (pooled, direct where the transport wants it): sealed datagrams are built in it. */
  public ByteBufAllocator allocator() {
    return channel.alloc();
  }

  /** Exceptions the socket's pipeline reported (ICMP errors for earlier sends, handler failures). */
  public long errors() {
    return errors;
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress localAddress() {
    return channel.localAddress();
  }

  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    channel.close().addListener(done -> closed.complete());
    return closed.future();
  }
}
