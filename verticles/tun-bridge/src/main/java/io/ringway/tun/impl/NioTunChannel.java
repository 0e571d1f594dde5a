package io.ringway.tun.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.ringway.tun.TunDevice;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Reads and writes a TUN fd for an event loop that cannot watch it itself (NIO: a Java
 * {@code Selector} takes only JDK channels, not a raw fd). One daemon thread per device,
 * {@code ringway-tun-reader-<device>}, waits with poll(2), reads packets with read(2) until EAGAIN,
 * copies each into its own array and hands them to the loop, one task per batch; the handler runs
 * on the loop, never on the reader. Writes stay on the loop: write(2) at once, as in
 * {@link EpollTunChannel} (a TUN write hands the packet to the stack and does not wait, so EAGAIN
 * means overload: dropped and counted).
 *
 * <p>The price against the io_uring and epoll paths: a thread per device, a copy and a cross-thread
 * hand-off (a task on the loop's queue, often a selector wake-up) per batch, and a JNA call per
 * syscall. It is the fallback that lets a NIO node run the tunnel, not a fast path.
 *
 * <p>At most {@code handoffLimit} packets wait for the loop at once; beyond that the reader drops
 * and counts them ({@link TunChannelStats#readsDropped}), so a stalled loop costs bounded memory
 * (limit × packet size), not a growing queue. The channel owns the device and closes it only after
 * the reader has left poll(2) and read(2) and the loop has stopped writing, so no call can name a
 * closed, or reused, fd number.
 */
public final class NioTunChannel implements TunChannel {

  /**
   * Packets waiting for the loop before the reader drops: as many as the kernel's own TUN queue
   * (txqueuelen 500) holds on the other paths, so a burst the loop can absorb there is not cut
   * shorter here. At most about 700 KiB at the default MTU.
   */
  public static final int DEFAULT_HANDOFF_LIMIT = 512;
  /** How long the reader stays in poll(2) before it looks at the stop flag again. */
  static final int POLL_MILLIS = 100;
  /** Packets per task on the loop: a flood is handed over in steps, not held until EAGAIN. */
  private static final int BATCH = 64;
  /** The largest IP packet: the write scratch buffer takes anything the bridge can pass. */
  private static final int MAX_PACKET = 65535;

  private static final System.Logger LOG = System.getLogger(NioTunChannel.class.getName());

  private final TunDevice device;
  private final EventLoop loop;
  private final int packetSize;
  private final int handoffLimit;
  private final Consumer<ByteBuf> onPacket;
  /** Packets handed to the loop and not yet handled: the reader adds, the loop subtracts. */
  private final AtomicInteger pending = new AtomicInteger();
  private final Promise<Void> readerExited = Promise.promise();
  private final Promise<Void> closed = Promise.promise();

  // Loop thread only.
  private final TunChannelStats stats = new TunChannelStats();
  private Memory writeScratch;
  private ByteBuffer writeView;
  private Thread reader;
  private boolean closing;

  private volatile boolean stopping;
  // Written by the reader thread only (single writer, so ++ on a volatile is safe); copied by stats().
  private volatile long packetsRead;
  private volatile long bytesRead;
  private volatile long readsDropped;
  private volatile long readErrors;
  private volatile int lastReadError;

  /**
   * @param device the opened TUN device (O_NONBLOCK); the channel closes it
   * @param loop the verticle's event loop, any transport
   * @param packetSize read buffer size, at least the MTU (a longer packet is truncated by read(2))
   * @param handoffLimit packets read and not yet handled on the loop before the reader drops
   * @param onPacket gets each packet read, on the loop; the buffer is only valid during the call
   */
  public NioTunChannel(TunDevice device, EventLoop loop, int packetSize, int handoffLimit,
      Consumer<ByteBuf> onPacket) {
    if (packetSize < 1 || handoffLimit < 1) {
      throw new IllegalArgumentException("packetSize " + packetSize + " and handoffLimit " + handoffLimit
          + " must be positive");
    }
    this.device = device;
    this.loop = loop;
    this.packetSize = packetSize;
    this.handoffLimit = handoffLimit;
    this.onPacket = onPacket;
  }

  /** Starts the reader thread; call on the loop. */
  @Override
  public Future<Void> open() {
    Thread thread = new Thread(this::readLoop, "ringway-tun-reader-" + device.name());
    thread.setDaemon(true);
    try {
      thread.start();
    } catch (OutOfMemoryError e) {
      // "unable to create native thread": the process is at its thread limit, not out of heap.
      device.close();
      return Future.failedFuture(new IllegalStateException("cannot start the TUN reader thread for "
          + device.name() + ": " + e.getMessage(), e));
    }
    reader = thread;
    writeScratch = new Memory(MAX_PACKET);
    writeView = writeScratch.getByteBuffer(0, MAX_PACKET);
    return Future.succeededFuture();
  }

  private void readLoop() {
    int fd = device.fd();
    try (Memory pollFd = new Memory(LibC.POLLFD_SIZE); Memory buffer = new Memory(packetSize)) {
      pollFd.setInt(0, fd);
      pollFd.setShort(4, LibC.POLLIN);
      List<byte[]> batch = new ArrayList<>(BATCH);
      while (!stopping) {
        int ready;
        try {
          // Closing the fd from another thread does not wake poll(2): hence the timeout and the flag.
          ready = LibC.poll(pollFd, 1, POLL_MILLIS);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == LibC.EINTR) {
            continue;
          }
          failed("poll", e.getErrorCode());
          return;
        }
        if (ready == 0) {
          continue;
        }
        if ((pollFd.getShort(6) & LibC.POLLNVAL) != 0) {
          failed("poll", LibC.EBADF);
          return;
        }
        if (!drain(fd, buffer, batch)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      failed(e.toString());
    } finally {
      readerExited.complete();
    }
  }

  /** Reads until EAGAIN, handing packets over every {@link #BATCH}; false when the reader must stop. */
  private boolean drain(int fd, Memory buffer, List<byte[]> batch) {
    while (!stopping) {
      long read;
      try {
        read = LibC.read(fd, buffer, packetSize);
      } catch (LastErrorException e) {
        int errno = e.getErrorCode();
        if (errno == LibC.EINTR) {
          continue;
        }
        if (!handOff(batch)) {
          return false;
        }
        if (errno == LibC.EAGAIN) {
          return true;
        }
        // EBADFD: the device was detached; EFAULT or EINVAL would repeat at once. Stop, do not spin.
        failed("read", errno);
        return false;
      }
      if (read <= 0) {
        // A TUN read returns 0 only for an empty buffer; never here, but it must not spin either.
        return handOff(batch);
      }
      packetsRead++;
      bytesRead += read;
      if (pending.get() >= handoffLimit) {
        // Only this thread adds to pending, so the check cannot be overtaken.
        readsDropped++;
        continue;
      }
      byte[] packet = new byte[(int) read];
      buffer.read(0, packet, 0, packet.length);
      pending.incrementAndGet();
      batch.add(packet);
      if (batch.size() == BATCH && !handOff(batch)) {
        return false;
      }
    }
    return handOff(batch);
  }

  /** Queues one task on the loop for the batch; false when the loop takes no more tasks. */
  private boolean handOff(List<byte[]> batch) {
    if (batch.isEmpty()) {
      return true;
    }
    byte[][] packets = batch.toArray(new byte[0][]);
    batch.clear();
    try {
      loop.execute(() -> deliver(packets));
      return true;
    } catch (RejectedExecutionException e) {
      pending.addAndGet(-packets.length);
      readsDropped += packets.length;
      failed("the event loop is shut down");
      return false;
    }
  }

  private void deliver(byte[][] packets) {
    try {
      for (byte[] packet : packets) {
        if (closing) {
          return;
        }
        try {
          onPacket.accept(Unpooled.wrappedBuffer(packet));
        } catch (RuntimeException e) {
          stats.handlerFailures++;
        }
      }
    } finally {
      // Only now: until the handler is done the arrays are still held, and count against the limit.
      pending.addAndGet(-packets.length);
    }
  }

  private void failed(String call, int errno) {
    lastReadError = -errno;
    failed(call + "(2) failed with errno " + errno);
  }

  private void failed(String why) {
    readErrors++;
    if (!stopping) {
      LOG.log(Level.WARNING, "tun-bridge: the reader thread of " + device.name() + " stops: " + why
          + "; packets from the device are no longer forwarded (writes to it go on)");
    }
  }

  /**
   * Writes one IP packet with write(2) on the loop; returns false (and counts it) when the kernel
   * refused it or the channel is closing. Takes ownership of {@code packet}.
   */
  @Override
  public boolean write(ByteBuf packet) {
    try {
      int length = packet.readableBytes();
      if (closing || writeScratch == null) {
        stats.writesDropped++;
        return false;
      }
      if (length > MAX_PACKET) {
        stats.writeErrors++;
        stats.lastWriteError = -LibC.EINVAL;
        return false;
      }
      Pointer from;
      if (packet.hasMemoryAddress()) {
        from = new Pointer(packet.memoryAddress() + packet.readerIndex());
      } else {
        packet.getBytes(packet.readerIndex(), writeView.clear().limit(length));
        from = writeScratch;
      }
      try {
        long written = LibC.write(device.fd(), from, length);
        stats.packetsWritten++;
        stats.bytesWritten += written;
        return true;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == LibC.EAGAIN) {
          stats.writesDropped++;
        } else {
          // EINVAL: not an IP packet the kernel accepts; EIO: interface down.
          stats.writeErrors++;
          stats.lastWriteError = -e.getErrorCode();
        }
        return false;
      }
    } finally {
      packet.release();
    }
  }

  @Override
  public TunChannelStats stats() {
    stats.packetsRead = packetsRead;
    stats.bytesRead = bytesRead;
    stats.readsDropped = readsDropped;
    stats.readErrors = readErrors;
    stats.lastReadError = lastReadError;
    return stats;
  }

  @Override
  public String name() {
    return device.name();
  }

  /** {@code reader-thread}: what moves the packets in, whatever the loop's transport. */
  @Override
  public String ioPath() {
    return "reader-thread";
  }

  /**
   * Stops writing at once and the reader within {@link #POLL_MILLIS}, then closes the device (on
   * the reader thread as it leaves, so the loop does not wait for the interface to go). Idempotent;
   * completes on the loop when the fd is closed.
   */
  @Override
  public Future<Void> shutdown() {
    try {
      loop.execute(this::startClose);
    } catch (RejectedExecutionException e) {
      // The loop is gone, so nothing writes any more: close from here.
      startClose();
    }
    return closed.future();
  }

  private void startClose() {
    if (closing) {
      return;
    }
    closing = true;
    stopping = true;
    if (writeScratch != null) {
      writeScratch.close();
      writeScratch = null;
      writeView = null;
    }
    if (reader == null) {
      readerExited.tryComplete();
    }
    readerExited.future().onComplete(exited -> {
      device.close();
      try {
        loop.execute(closed::tryComplete);
      } catch (RejectedExecutionException e) {
        closed.tryComplete();
      }
    });
  }

  /** Packets handed to the loop and not yet handled; any thread (tests). */
  int pending() {
    return pending.get();
  }

  /** Packets the reader has read so far, dropped ones included; any thread (tests). */
  long packetsReadSoFar() {
    return packetsRead;
  }
}
