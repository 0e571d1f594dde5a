package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.ringway.tun.TunDevice;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads and writes a TUN fd on an epoll event loop: the fd sits in the loop's own epoll set
 * (level-triggered EPOLLIN), and each readiness event reads packets with read(2) until EAGAIN or a
 * budget, so one busy device cannot starve the loop's sockets. Writes are write(2) at once: a TUN
 * write hands the packet to the stack and does not wait, so EAGAIN means overload and the packet is
 * dropped and counted.
 *
 * <p>Everything but {@link #open} runs on the loop thread. The channel owns the device.
 */
public final class EpollTunChannel implements EpollIoHandle, TunChannel {

  /** Packets read per readiness event before the loop serves others (level-triggered: it comes back). */
  private static final int READ_BUDGET = 64;

  private final TunDevice device;
  private final IoEventLoop loop;
  private final FileDescriptor fd;
  private final int packetSize;
  private final TunChannelStats stats = new TunChannelStats();
  private final Promise<Void> closed = Promise.promise();
  private final OffloadPath offload;
  private ByteBuf readBuffer;
  private IoRegistration registration;
  private boolean closing;

  /**
   * @param device the opened TUN device (O_NONBLOCK); the channel closes it
   * @param loop the verticle's event loop; must run epoll
   * @param packetSize read buffer size, at least the MTU (the inner MTU when the device has a
   *     virtio-net header: reads are then up to 64 KiB super-packets, cut by {@link TunOffload})
   * @param onPacket gets each packet read (each segment), on the loop; the buffer is only valid during the call
   */
  public EpollTunChannel(TunDevice device, IoEventLoop loop, int packetSize, Consumer<ByteBuf> onPacket) {
    if (!loop.isCompatible(EpollIoHandle.class)) {
      throw new IllegalArgumentException("the event loop does not run epoll");
    }
    this.device = device;
    this.loop = loop;
    // Netty's view of the fd, for epoll_ctl and read/write; closing stays with the device.
    this.fd = new FileDescriptor(device.fd());
    this.offload = new OffloadPath(device.vnetHeader(), packetSize, loop, stats, onPacket, this::writeNow);
    this.packetSize = offload.readSize();
  }

  @Override
  public Future<Void> open() {
    Promise<Void> opened = Promise.promise();
    loop.register(this).addListener(done -> {
      if (!done.isSuccess()) {
        device.close();
        opened.fail(done.cause());
        return;
      }
      registration = (IoRegistration) done.getNow();
      readBuffer = ByteBufAllocator.DEFAULT.directBuffer(packetSize, packetSize);
      registration.submit(EpollIoOps.EPOLLIN);
      opened.complete();
    });
    return opened.future();
  }

  @Override
  public FileDescriptor fd() {
    return fd;
  }

  @Override
  public void handle(IoRegistration ignored, IoEvent event) {
    EpollIoOps ready = ((EpollIoEvent) event).ops();
    if (!closing && (ready.contains(EpollIoOps.EPOLLIN) || ready.contains(EpollIoOps.EPOLLERR))) {
      readReady();
    }
  }

  private void readReady() {
    long address = readBuffer.memoryAddress();
    for (int i = 0; i < READ_BUDGET && !closing; i++) {
      int read;
      try {
        // 0: EAGAIN (drained); -1: end of file, which a TUN fd reports only when detached.
        read = fd.readAddress(address, 0, packetSize);
      } catch (IOException e) {
        stats.readErrors++;
        return;
      }
      if (read <= 0) {
        return;
      }
      readBuffer.setIndex(0, read);
      offload.onRead(readBuffer);
    }
  }

  @Override
  public boolean write(ByteBuf packet) {
    if (offload.active() && !closing) {
      // Held until the loop has handled what was ready, then coalesced and written.
      offload.write(packet);
      return true;
    }
    return writeNow(packet);
  }

  /** write(2) of one packet, or of a prepared write with its vnet header; takes ownership. */
  private boolean writeNow(ByteBuf packet) {
    try {
      if (closing) {
        stats.writesDropped++;
        return false;
      }
      ByteBuf direct = packet;
      if (!packet.hasMemoryAddress()) {
        direct = ByteBufAllocator.DEFAULT.directBuffer(packet.readableBytes());
        direct.writeBytes(packet);
      }
      try {
        int written = fd.writeAddress(direct.memoryAddress(), direct.readerIndex(), direct.writerIndex());
        if (written == 0) {
          stats.writesDropped++;
          return false;
        }
        stats.writes++;
        stats.packetsWritten += offload.active() ? TunOffload.segments(direct) : 1;
        stats.bytesWritten += written;
        return true;
      } catch (IOException e) {
        // EINVAL: not an IP packet the kernel accepts; EIO: interface down.
        stats.writeErrors++;
        return false;
      } finally {
        if (direct != packet) {
          direct.release();
        }
      }
    } finally {
      packet.release();
    }
  }

  @Override
  public TunChannelStats stats() {
    return stats;
  }

  @Override
  public String name() {
    return device.name();
  }

  @Override
  public String ioPath() {
    return "epoll";
  }

  @Override
  public Future<Void> shutdown() {
    loop.execute(this::closeNow);
    return closed.future();
  }

  @Override
  public void close() {
    // Called by Netty when the loop shuts down: same path as an orderly close.
    closeNow();
  }

  private void closeNow() {
    if (closing) {
      return;
    }
    closing = true;
    offload.release();
    if (registration != null) {
      // epoll_ctl(DEL) happens inside cancel, before the fd closes: no event can name a closed fd.
      registration.cancel();
    }
    if (readBuffer != null) {
      readBuffer.release();
      readBuffer = null;
    }
    device.close();
    closed.tryComplete();
  }
}
