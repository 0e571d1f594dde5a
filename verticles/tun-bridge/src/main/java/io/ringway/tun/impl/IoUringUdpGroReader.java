package io.ringway.tun.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.function.BiConsumer;

/**
 * Receives an io_uring underlay socket's datagrams with UDP_GRO, on the loop's own ring. Netty's io_uring
 * datagram channel (4.2.12, 4.2.18) gives its recvmsg no control buffer, so it cannot learn the segment size of a
 * coalesced read and has no UDP_GRO; this handle reads the socket itself ({@code readSlots} recvmsg in
 * flight, each into a 64 KiB buffer with room for the UDP_GRO control message) while Netty's channel, its
 * reads off, keeps sending. One completion then brings up to 64 KiB of one flow's datagrams, which the
 * handler gets one by one as slices.
 *
 * <p>Each read gets a fresh pooled buffer: the bridge keeps retained slices of what it opened until the TUN
 * write completes, so a buffer is never handed to the kernel again while they live. Everything but
 * {@link #open} runs on the loop; on close the reads are cancelled and buffers freed only once the ring has
 * returned them. Little-endian LP64 Linux only (the msghdr layout below); {@link #usable} says so.
 */
final class IoUringUdpGroReader implements IoUringIoHandle {

  static final byte IORING_OP_RECVMSG = 10;
  /** setsockopt level and option (linux/udp.h); the cmsg of a coalesced read carries the segment size as an int. */
  static final int SOL_UDP = 17;
  static final int UDP_GRO = 104;
  /** Largest read: what the kernel coalesces at most (one 64 KiB GRO packet). */
  static final int READ_BUFFER = 65_536;

  private static final int MSG_CTRUNC = 0x8;
  private static final int MSG_TRUNC = 0x20;
  // struct msghdr on LP64: msg_name 0, msg_namelen 8, msg_iov 16, msg_iovlen 24, msg_control 32,
  // msg_controllen 40, msg_flags 48 (56 bytes); then one iovec (base, len), a sockaddr_in6 and the control room.
  private static final int IOV = 56;
  private static final int NAME = IOV + 16;
  private static final int NAME_ROOM = 32;
  private static final int CONTROL = NAME + NAME_ROOM;
  /** CMSG_SPACE(sizeof(int)): a 16-byte cmsghdr and the int, aligned to 8. */
  private static final int CONTROL_ROOM = 24;
  private static final int HEADER_BYTES = CONTROL + CONTROL_ROOM;

  private final int fd;
  private final IoEventLoop loop;
  private final BiConsumer<ByteBuf, InetSocketAddress> onDatagram;
  private final UdpUnderlay.UdpStats stats;
  private final ByteBuf headers;
  private final ByteBuf[] buffers;
  private final long[] ids;
  private final Promise<Void> closed = Promise.promise();
  private IoRegistration registration;
  private boolean closing;
  private InetSocketAddress lastSender;
  /** The raw address bytes {@link #lastSender} was made from (a v4-mapped one stays 16 bytes here). */
  private byte[] lastAddress;

  /**
   * @param fd the UDP socket, UDP_GRO already on ({@link #enableGro})
   * @param onDatagram gets each datagram and its sender on the loop; the buffer is valid during the call
   *     (retain a slice to keep bytes longer)
   */
  IoUringUdpGroReader(int fd, IoEventLoop loop, int readSlots, UdpUnderlay.UdpStats stats,
      BiConsumer<ByteBuf, InetSocketAddress> onDatagram) {
    this.fd = fd;
    this.loop = loop;
    this.stats = stats;
    this.onDatagram = onDatagram;
    this.headers = ByteBufAllocator.DEFAULT.directBuffer(HEADER_BYTES * readSlots).setZero(0, HEADER_BYTES * readSlots);
    this.buffers = new ByteBuf[readSlots];
    this.ids = new long[readSlots];
  }

  /** Whether this platform has the layout this class writes. */
  static boolean usable() {
    return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && com.sun.jna.Native.POINTER_SIZE == 8;
  }

  /** Turns UDP_GRO on for {@code fd}; false when the kernel refuses (before 5.0, or not a UDP socket). */
  static boolean enableGro(int fd) {
    Memory one = new Memory(4);
    one.setInt(0, 1);
    try {
      return LibC.setsockopt(fd, SOL_UDP, UDP_GRO, one, 4) == 0;
    } catch (LastErrorException e) {
      return false;
    }
  }

  /** Registers on the loop's ring and arms every read; completes on the loop. */
  Future<Void> open() {
    Promise<Void> opened = Promise.promise();
    loop.register(this).addListener(done -> {
      if (!done.isSuccess()) {
        headers.release();
        closed.tryComplete();
        opened.fail(done.cause());
        return;
      }
      registration = (IoRegistration) done.getNow();
      for (short slot = 0; slot < buffers.length; slot++) {
        submit(slot);
      }
      opened.complete();
    });
    return opened.future();
  }

  /** Cancels the reads; completes once the ring has returned them and the buffers are freed. */
  Future<Void> shutdown() {
    if (loop.inEventLoop()) {
      startClose();
    } else {
      loop.execute(this::startClose);
    }
    return closed.future();
  }

  private void startClose() {
    if (closing) {
      return;
    }
    closing = true;
    if (registration == null) {
      release();
      return;
    }
    IoUringTunChannel.cancelAll(registration, ids);
  }

  @Override
  public void handle(IoRegistration ignored, IoEvent event) {
    IoUringIoEvent completion = (IoUringIoEvent) event;
    if (completion.opcode() == IORING_OP_RECVMSG) {
      received((short) completion.userData(), completion.res());
    }
  }

  private void received(short slot, int res) {
    ids[slot] = 0;
    ByteBuf buffer = buffers[slot];
    buffers[slot] = null;
    try {
      if (!closing && res >= 0) {
        dispatch(slot, buffer, res);
      }
    } finally {
      buffer.release();
    }
    if (closing) {
      return;
    }
    if (res == -LibC.EBADF || res == -LibC.EFAULT || res == -LibC.EINVAL || res == -LibC.ENOTSOCK) {
      // Would fail again at once: park the slot rather than spin, and say so in the stats.
      stats.receiveErrors++;
      return;
    }
    if (res < 0 && res != -LibC.EAGAIN && res != -LibC.EINTR && res != -LibC.ECANCELED) {
      // An ICMP error for an earlier send (ECONNREFUSED, EHOSTUNREACH) is reported once, on a receive.
      stats.receiveErrors++;
    }
    submit(slot);
  }

  /** Hands the datagrams of one read to the handler: segments of the GRO size, the last maybe shorter. */
  private void dispatch(short slot, ByteBuf buffer, int length) {
    int header = slot * HEADER_BYTES;
    int flags = headers.getIntLE(header + 48);
    stats.receives++;
    if ((flags & MSG_TRUNC) != 0) {
      // Longer than 64 KiB: not one of ours, and its cut end would fail the length check anyway.
      stats.receiveErrors++;
      return;
    }
    int segment = length;
    if ((flags & MSG_CTRUNC) == 0 && headers.getLongLE(header + 40) >= 20
        && headers.getIntLE(header + CONTROL + 8) == SOL_UDP && headers.getIntLE(header + CONTROL + 12) == UDP_GRO) {
      int size = headers.getIntLE(header + CONTROL + 16);
      if (size > 0) {
        segment = size;
      }
    }
    InetSocketAddress sender = sender(header + NAME, headers.getIntLE(header + 8));
    if (sender == null) {
      stats.receiveErrors++;
      return;
    }
    if (length == 0) {
      // An empty datagram: the handler counts it as truncated, as on every other path.
      deliver(buffer.slice(0, 0), sender);
      return;
    }
    for (int offset = 0; offset < length; offset += segment) {
      deliver(buffer.slice(offset, Math.min(segment, length - offset)), sender);
    }
  }

  private void deliver(ByteBuf datagram, InetSocketAddress sender) {
    stats.datagramsReceived++;
    try {
      onDatagram.accept(datagram, sender);
    } catch (RuntimeException e) {
      // As Netty's pipeline would: counted, and reading goes on (thrown out of here, it would lose the slot).
      stats.receiveErrors++;
    }
  }

  /** The sender from the sockaddr the kernel wrote; the last one again while it does not change. */
  private InetSocketAddress sender(int at, int nameLength) {
    int family = headers.getShortLE(at);
    int port = headers.getUnsignedShort(at + 2);
    int addressAt;
    int addressLength;
    if (family == LibC.AF_INET && nameLength >= 16) {
      addressAt = at + 4;
      addressLength = 4;
    } else if (family == LibC.AF_INET6 && nameLength >= 28) {
      addressAt = at + 8;
      addressLength = 16;
    } else {
      return null;
    }
    if (lastSender != null && port == lastSender.getPort() && sameAsLast(addressAt, addressLength)) {
      return lastSender;
    }
    byte[] address = new byte[addressLength];
    headers.getBytes(addressAt, address);
    try {
      lastSender = new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      return null;
    }
    lastAddress = address;
    return lastSender;
  }

  private boolean sameAsLast(int at, int length) {
    if (length != lastAddress.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (headers.getByte(at + i) != lastAddress[i]) {
        return false;
      }
    }
    return true;
  }

  private void submit(short slot) {
    ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(READ_BUFFER, READ_BUFFER);
    buffers[slot] = buffer;
    int header = slot * HEADER_BYTES;
    long base = headers.memoryAddress() + header;
    headers.setLongLE(header, base + NAME);
    headers.setIntLE(header + 8, NAME_ROOM);
    headers.setLongLE(header + 16, base + IOV);
    headers.setLongLE(header + 24, 1);
    headers.setLongLE(header + 32, base + CONTROL);
    headers.setLongLE(header + 40, CONTROL_ROOM);
    headers.setIntLE(header + 48, 0);
    headers.setLongLE(header + IOV, buffer.memoryAddress());
    headers.setLongLE(header + IOV + 8, READ_BUFFER);
    ids[slot] = registration.submit(new IoUringIoOps(IORING_OP_RECVMSG, (byte) 0, (short) 0, fd, 0L, base, 1, 0,
        (long) slot, (short) 0, (short) 0, 0, 0L));
  }

  @Override
  public void unregistered() {
    release();
  }

  @Override
  public void close() {
    // Called by Netty on the loop when it shuts down: the same path as an orderly close.
    startClose();
  }

  private void release() {
    for (int slot = 0; slot < buffers.length; slot++) {
      if (buffers[slot] != null) {
        buffers[slot].release();
        buffers[slot] = null;
      }
    }
    if (headers.refCnt() > 0) {
      headers.release();
    }
    closed.tryComplete();
  }
}
