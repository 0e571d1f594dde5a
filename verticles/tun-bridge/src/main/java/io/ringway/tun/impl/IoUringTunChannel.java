package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoOps;
import io.ringway.tun.TunDevice;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Reads and writes a TUN fd with io_uring on one event loop's own ring: {@code readSlots} reads
 * stay in flight, each completion hands one packet to the handler and re-arms its slot; writes are
 * IORING_OP_WRITE with at most {@code writeSlots} in flight, beyond which packets are dropped and
 * counted (a TUN write never blocks the sender for long, so a full queue means overload).
 *
 * <p>Everything but {@link #open} runs on the loop thread. The channel owns the device: it closes
 * the fd only after the ring has returned every operation, so no buffer or fd is freed under the
 * kernel. On an epoll loop {@link EpollTunChannel} does the same job with readiness.
 */
public final class IoUringTunChannel implements IoUringIoHandle, TunChannel {

  /** The Netty io_uring opcodes (io_uring.h). */
  static final byte IORING_OP_ASYNC_CANCEL = 14;
  static final byte IORING_OP_READ = 22;
  static final byte IORING_OP_WRITE = 23;


  private final TunDevice device;
  private final IoEventLoop loop;
  private final int packetSize;
  private final ByteBuf[] readBuffers;
  private final long[] readIds;
  private final ByteBuf[] writeBuffers;
  private final int[] writeSegments;
  private final ArrayDeque<Short> freeWriteSlots = new ArrayDeque<>();
  private final TunChannelStats stats = new TunChannelStats();
  private final Promise<Void> closed = Promise.promise();
  private final OffloadPath offload;
  private IoRegistration registration;
  private boolean closing;

  /**
   * @param device the opened TUN device; the channel closes it
   * @param loop the verticle's event loop; must run io_uring
   * @param readSlots reads in flight
   * @param writeSlots writes in flight before dropping
   * @param packetSize read buffer size, at least the MTU (a longer packet is truncated by read(2));
   *     the MTU of the inner packets when the device has a virtio-net header (reads are then 64 KiB)
   * @param onPacket gets each packet read (each segment of a super-packet), on the loop; the buffer
   *     is only valid during the call
   */
  public IoUringTunChannel(TunDevice device, IoEventLoop loop, int readSlots, int writeSlots,
      int packetSize, Consumer<ByteBuf> onPacket) {
    if (!loop.isIoType(IoUringIoHandler.class)) {
      throw new IllegalArgumentException("the event loop does not run io_uring");
    }
    if (readSlots < 1 || writeSlots < 1 || writeSlots > Short.MAX_VALUE || readSlots > Short.MAX_VALUE) {
      throw new IllegalArgumentException("slots out of range: read " + readSlots + ", write " + writeSlots);
    }
    this.device = device;
    this.loop = loop;
    this.offload = new OffloadPath(device.vnetHeader(), packetSize, loop, stats, onPacket, this::submitWrite);
    this.packetSize = offload.readSize();
    this.readBuffers = new ByteBuf[readSlots];
    this.readIds = new long[readSlots];
    this.writeBuffers = new ByteBuf[writeSlots];
    this.writeSegments = new int[writeSlots];
    for (short slot = 0; slot < writeSlots; slot++) {
      freeWriteSlots.add(slot);
    }
  }

  /** Registers the fd on the loop's ring and arms every read slot; completes on the loop. */
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
      for (short slot = 0; slot < readBuffers.length; slot++) {
        // Direct memory: the kernel writes into it by address while the op is in flight.
        readBuffers[slot] = ByteBufAllocator.DEFAULT.directBuffer(packetSize, packetSize);
        submitRead(slot);
      }
      opened.complete();
    });
    return opened.future();
  }

  /**
   * Queues one IP packet for the TUN device; returns false (and counts it) when every write slot
   * is busy or the channel is closing. Takes ownership of {@code packet}. Call on the loop.
   */
  @Override
  public boolean write(ByteBuf packet) {
    if (offload.active() && !closing) {
      // Held until the loop has handled what was ready, then coalesced; a full ring drops then.
      offload.write(packet);
      return true;
    }
    return submitWrite(packet);
  }

  /** Submits one write (a packet, or a prepared write with its vnet header); takes ownership. */
  private boolean submitWrite(ByteBuf packet) {
    Short slot = closing ? null : freeWriteSlots.poll();
    if (slot == null) {
      stats.writesDropped++;
      packet.release();
      return false;
    }
    ByteBuf direct = packet;
    if (!packet.hasMemoryAddress()) {
      direct = ByteBufAllocator.DEFAULT.directBuffer(packet.readableBytes());
      direct.writeBytes(packet);
      packet.release();
    }
    writeBuffers[slot] = direct;
    writeSegments[slot] = offload.active() ? TunOffload.segments(direct) : 1;
    registration.submit(new IoUringIoOps(IORING_OP_WRITE, (byte) 0, (short) 0, device.fd(),
        -1L, direct.memoryAddress() + direct.readerIndex(), direct.readableBytes(), 0, (long) slot,
        (short) 0, (short) 0, 0, 0L));
    return true;
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
    return "io_uring";
  }

  /**
   * Cancels the reads, waits for the ring to return every op, then frees buffers and closes the
   * device. Completes when the fd is closed.
   */
  @Override
  public Future<Void> shutdown() {
    loop.execute(this::startClose);
    return closed.future();
  }

  private void startClose() {
    if (closing) {
      return;
    }
    closing = true;
    offload.release();
    if (registration == null) {
      release();
      return;
    }
    cancelAll(registration, readIds);
  }

  /**
   * Cancels the ops {@code ids} names (0: none in that slot), then the registration. A read on a TUN fd or
   * a socket waits for data forever; only ASYNC_CANCEL returns it. Netty unregisters (and calls
   * {@code unregistered()}) only after every outstanding completion, so buffers are freed there.
   */
  static void cancelAll(IoRegistration registration, long[] ids) {
    for (int slot = 0; slot < ids.length; slot++) {
      if (ids[slot] != 0) {
        registration.submit(new IoUringIoOps(IORING_OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1,
            0L, ids[slot], 0, 0, (long) slot, (short) 0, (short) 0, 0, 0L));
      }
    }
    registration.cancel();
  }

  @Override
  public void handle(IoRegistration ignored, IoEvent event) {
    IoUringIoEvent completion = (IoUringIoEvent) event;
    switch (completion.opcode()) {
      case IORING_OP_READ -> readDone((short) completion.userData(), completion.res());
      case IORING_OP_WRITE -> writeDone((short) completion.userData(), completion.res());
      default -> {
        // ASYNC_CANCEL results: nothing to do, the cancelled read completes on its own.
      }
    }
  }

  private void readDone(short slot, int res) {
    readIds[slot] = 0;
    if (closing) {
      return;
    }
    if (res > 0) {
      ByteBuf buffer = readBuffers[slot];
      buffer.setIndex(0, res);
      offload.onRead(buffer);
      submitRead(slot);
    } else if (res == -LibC.EAGAIN || res == -LibC.EINTR) {
      submitRead(slot);
    } else {
      // EBADFD (device detached) or EFAULT would repeat at once: park the slot instead of spinning.
      stats.readErrors++;
      stats.lastReadError = res;
    }
  }

  private void writeDone(short slot, int res) {
    ByteBuf buffer = writeBuffers[slot];
    writeBuffers[slot] = null;
    if (res >= 0) {
      stats.writes++;
      stats.packetsWritten += writeSegments[slot];
      stats.bytesWritten += res;
    } else if (res != -LibC.ECANCELED) {
      // EINVAL: not an IP packet the kernel accepts; EIO: interface down.
      stats.writeErrors++;
      stats.lastWriteError = res;
    }
    buffer.release();
    freeWriteSlots.add(slot);
  }

  private void submitRead(short slot) {
    ByteBuf buffer = readBuffers[slot];
    // offset -1: use the file position (a TUN fd has none); one packet per completion.
    readIds[slot] = registration.submit(new IoUringIoOps(IORING_OP_READ, (byte) 0, (short) 0,
        device.fd(), -1L, buffer.memoryAddress(), packetSize, 0, (long) slot,
        (short) 0, (short) 0, 0, 0L));
  }

  @Override
  public void unregistered() {
    release();
  }

  @Override
  public void close() throws Exception {
    // Called by Netty when the loop shuts down: same path as an orderly close.
    startClose();
  }

  private void release() {
    for (int slot = 0; slot < readBuffers.length; slot++) {
      if (readBuffers[slot] != null) {
        readBuffers[slot].release();
        readBuffers[slot] = null;
      }
    }
    for (int slot = 0; slot < writeBuffers.length; slot++) {
      if (writeBuffers[slot] != null) {
        writeBuffers[slot].release();
        writeBuffers[slot] = null;
      }
    }
    device.close();
    closed.tryComplete();
  }
}
