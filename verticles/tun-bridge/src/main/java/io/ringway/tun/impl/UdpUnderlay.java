package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
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
import java.util.function.Consumer;

/**
 * The UDP socket peers talk to, as a Netty channel of the Vert.x transport registered on the
 * bridge's own event loop (so datagrams and TUN completions share one thread and one ring). Used
 * directly rather than through Vert.x's {@code DatagramSocket}, which resolves the host string of
 * every send, copies every datagram read, and reads one datagram per wake-up.
 */
public final class UdpUnderlay {

  private static final System.Logger LOG = System.getLogger(UdpUnderlay.class.getName());

  /** Socket buffers: a burst of full-MTU packets from the TUN device must not overflow them. */
  private static final int SOCKET_BUFFER = 4 << 20;
  /**
   * Datagrams per UDP_SEGMENT send: the kernel refuses more than UDP_MAX_SEGMENTS (64 before 6.?,
   * 128 since), and 64 KiB of payload bounds it first at tunnel MTUs anyway.
   */
  static final int GSO_MAX_SEGMENTS = 64;
  /** The largest UDP payload over IPv4 (65535 - 20 - 8), the limit of one GSO send. */
  static final int GSO_MAX_BYTES = 65_507;
  /** With UDP_GRO a read holds up to 64 KiB of coalesced datagrams. */
  private static final int GRO_READ_BUFFER = 65_536;
  /**
   * On io_uring, receives in flight per read: Netty submits one IORING_OP_RECVMSG per
   * MAX_DATAGRAM_PAYLOAD_SIZE slice of the read buffer, so one io_uring_enter can bring back this many
   * datagrams (its stand-in for recvmmsg; the io_uring channel has no UDP_GRO).
   */
  static final int IO_URING_RECVS_IN_FLIGHT = 32;
  /** On io_uring with UDP_GRO: receives in flight, each up to 64 KiB of coalesced datagrams. */
  static final int IO_URING_GRO_READS = 4;

  private final DatagramChannel channel;
  private final boolean batchFlush;
  private final Runnable flush;
  private boolean flushScheduled;
  private long errors;
  private final boolean gro;
  /** On io_uring with UDP_GRO: the handle that reads the socket (Netty's channel only sends then). */
  private IoUringUdpGroReader groReader;
  /** UDP_SEGMENT sends: on when asked, the transport has them, until a send fails with EIO. */
  private boolean gso;
  /** Datagrams waiting to leave as one UDP_SEGMENT send: same destination, same size but the last. */
  private ByteBuf batch;
  private InetSocketAddress batchTo;
  private int batchSegment;
  private int batchCount;
  private final UdpStats stats = new UdpStats();

  /** Counters of the underlay socket, on the loop. */
  public static final class UdpStats {
    /** Datagrams handed to the socket, and the sends (sendmsg or one UDP_SEGMENT send) they left in. */
    public long datagramsSent;
    public long sends;
    /** UDP_SEGMENT sends and the datagrams in them. */
    public long gsoSends;
    public long gsoDatagrams;
    /** Datagrams received. */
    public long datagramsReceived;
    /**
     * io_uring with UDP_GRO: receives completed (each one datagram or several coalesced), and errors: failed
     * receives and datagrams the handler threw on.
     */
    public long receives;
    public long receiveErrors;
  }

  private UdpUnderlay(DatagramChannel channel, boolean batchFlush, boolean gso, boolean gro) {
    this.channel = channel;
    this.batchFlush = batchFlush || gso;
    this.gso = gso;
    this.gro = gro;
    this.flush = () -> {
      flushScheduled = false;
      flushBatch();
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
   * @param offloads send runs of equal-size datagrams to one peer as one UDP_SEGMENT send (where the
   *     transport has it: io_uring and epoll) and receive with UDP_GRO (the kernel hands over up to
   *     64 KiB of one flow's datagrams per read, cut apart again here): on epoll through Netty's channel,
   *     on io_uring through {@link IoUringUdpGroReader}, as Netty's io_uring channel has no UDP_GRO
   *     reads (4.2.12, 4.2.18); where the kernel refuses UDP_GRO, io_uring keeps 32 receives in flight instead
   * @param reusePort set SO_REUSEPORT, so each lane of a multi-queue tunnel binds its own socket to
   *     the one port (the kernel spreads datagrams over them by a hash of the addresses)
   */
  public static Future<UdpUnderlay> bind(VertxInternal vertx, EventLoop loop, String host, int port, int maxDatagram,
      boolean batchFlush, boolean offloads, boolean reusePort, BiConsumer<ByteBuf, InetSocketAddress> onDatagram) {
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
    boolean gso = offloads && (channel instanceof IoUringDatagramChannel
        ? IoUringDatagramChannel.isSegmentedDatagramPacketSupported()
        : channel instanceof EpollDatagramChannel && EpollDatagramChannel.isSegmentedDatagramPacketSupported());
    boolean uringGro = offloads && channel instanceof IoUringDatagramChannel uring && loop instanceof IoEventLoop
        && IoUringUdpGroReader.usable() && IoUringUdpGroReader.enableGro(uring.fd().intValue());
    boolean gro = uringGro || offloads && channel instanceof EpollDatagramChannel
        && channel.config().setOption(EpollChannelOption.UDP_GRO, true);
    if (uringGro) {
      // The GRO reader reads the socket; Netty's channel must not read it too.
      channel.config().setAutoRead(false);
    }
    // Without GRO a buffer one byte longer than the largest datagram: a longer one arrives cut to
    // it and fails the length check. With GRO reads are 64 KiB and the length check sees each datagram.
    int slot = maxDatagram + 1;
    boolean batchedRecv = offloads && !uringGro && channel instanceof IoUringDatagramChannel
        && channel.config().setOption(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(
        gro ? GRO_READ_BUFFER : batchedRecv ? slot * IO_URING_RECVS_IN_FLIGHT : slot));
    if (reusePort && !channel.config().setOption(UnixChannelOption.SO_REUSEPORT, true)) {
      return Future.failedFuture(new IllegalStateException("tun.multiQueue: this transport's UDP socket has no SO_REUSEPORT"));
    }
    UdpUnderlay underlay = new UdpUnderlay(channel, batchFlush, gso, gro);
    channel.pipeline().addLast(underlay.new Reader(onDatagram));
    Promise<UdpUnderlay> bound = Promise.promise();
    loop.register(channel).addListener(registered -> {
      if (!registered.isSuccess()) {
        bound.fail(registered.cause());
        return;
      }
      channel.bind(new InetSocketAddress(address, port)).addListener(done -> {
        if (done.isSuccess() && uringGro) {
          underlay.groReader = new IoUringUdpGroReader(((IoUringDatagramChannel) channel).fd().intValue(),
              (IoEventLoop) loop, IO_URING_GRO_READS, underlay.stats, onDatagram);
          underlay.groReader.open().onComplete(opened -> {
            if (opened.succeeded()) {
              bound.complete(underlay);
            } else {
              channel.close();
              bound.fail(new IllegalStateException("cannot read UDP " + host + ":" + port + " on the ring: "
                  + opened.cause().getMessage(), opened.cause()));
            }
          });
        } else if (done.isSuccess()) {
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
      stats.datagramsReceived++;
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
    if (gso && datagram.hasMemoryAddress() && datagram.isReadable()) {
      appendToBatch(datagram, to);
      return;
    }
    stats.datagramsSent++;
    flushBatch();
    stats.sends++;
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

  /**
   * Sends a datagram of {@code length} bytes that {@code writer} writes at the writer index of the
   * buffer it is given, and takes the sending over as {@link #send(ByteBuf, InetSocketAddress)} does.
   * With UDP_SEGMENT sends that buffer is the pending batch itself, so a data message is sealed where it
   * leaves from (no buffer of its own, no copy); else a new buffer from the channel's allocator. If
   * {@code writer} throws, nothing is sent, the batch is as it was, and the exception propagates.
   */
  public void send(int length, InetSocketAddress to, Consumer<ByteBuf> writer) {
    // An empty datagram cannot be a segment of a UDP_SEGMENT send.
    if (!gso || length == 0) {
      ByteBuf datagram = channel.alloc().directBuffer(length);
      try {
        writer.accept(datagram);
      } catch (RuntimeException e) {
        datagram.release();
        throw e;
      }
      send(datagram, to);
      return;
    }
    if (batch != null && !joinsBatch(length, to)) {
      flushBatch();
    }
    if (batch == null) {
      batch = channel.alloc().directBuffer(GSO_MAX_BYTES);
      batchTo = to;
      batchSegment = length;
      batchCount = 0;
    }
    int start = batch.writerIndex();
    try {
      writer.accept(batch);
      if (batch.writerIndex() - start != length) {
        throw new IllegalStateException("wrote " + (batch.writerIndex() - start) + " bytes of a " + length
            + "-byte datagram");
      }
    } catch (RuntimeException e) {
      batch.writerIndex(start);
      throw e;
    }
    stats.datagramsSent++;
    batchCount++;
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flush);
    }
  }

  /**
   * Copies {@code datagram} into the pending UDP_SEGMENT batch (one memcpy of ~1.4 KB, against a
   * sendmsg per datagram saved) and releases it.
   */
  private void appendToBatch(ByteBuf datagram, InetSocketAddress to) {
    try {
      int length = datagram.readableBytes();
      send(length, to, batch -> batch.writeBytes(datagram, datagram.readerIndex(), length));
    } finally {
      datagram.release();
    }
  }

  /**
   * Whether a datagram of {@code length} bytes to {@code to} can join the pending batch: same destination,
   * no longer than its segments, no shorter one has ended it yet, and it has room.
   */
  private boolean joinsBatch(int length, InetSocketAddress to) {
    return to.equals(batchTo) && length <= batchSegment && batchCount < GSO_MAX_SEGMENTS
        && batch.readableBytes() % batchSegment == 0 && batch.readableBytes() + length <= GSO_MAX_BYTES;
  }

  /** Writes the pending batch: one UDP_SEGMENT send, or a plain datagram if it holds one. */
  private void flushBatch() {
    if (batch == null) {
      return;
    }
    ByteBuf content = batch;
    batch = null;
    stats.sends++;
    if (batchCount == 1) {
      channel.write(new DatagramPacket(content, batchTo), channel.voidPromise());
      return;
    }
    stats.gsoSends++;
    stats.gsoDatagrams += batchCount;
    channel.write(new SegmentedDatagramPacket(content, batchSegment, batchTo)).addListener(done -> {
      if (!done.isSuccess()) {
        errors++;
        // EIO: the route's device cannot checksum for us (udp_send_skb refuses GSO then): stop using it.
        if (gso && String.valueOf(done.cause().getMessage()).contains("Input/output error")) {
          gso = false;
          LOG.log(System.Logger.Level.WARNING, "tun-bridge: UDP GSO refused by the kernel (" + done.cause().getMessage()
              + "); sending one datagram per send from now on");
        }
      }
    });
  }

  /** Whether runs of datagrams leave as one UDP_SEGMENT send (still on: the kernel has not refused it). */
  public boolean gso() {
    return gso;
  }

  /** Whether the socket receives with UDP_GRO. */
  public boolean gro() {
    return gro;
  }

  public UdpStats stats() {
    return stats;
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
    if (batch != null) {
      batch.release();
      batch = null;
    }
    // The GRO reader's receives go first: the ring holds the socket open while one is in flight.
    Future<Void> reading = groReader == null ? Future.succeededFuture() : groReader.shutdown();
    Promise<Void> closed = Promise.promise();
    reading.onComplete(done -> channel.close().addListener(ignored -> closed.complete()));
    return closed.future();
  }
}
