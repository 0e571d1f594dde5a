package io.ringway.spi;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Read-buffer sizes for stream sockets that adapt to what is read, as Netty's default allocator's do, from one small
 * object per channel. Every Netty channel config builds an {@code AdaptiveRecvByteBufAllocator} of its own, and a
 * channel that has read once holds it with its handle, the handle's size calculator and a supplier object: 176 B per
 * connection under ZGC (issue 17, an idle connection's heap). Here one allocator serves a bootstrap's channels and a
 * channel's handle is a single 48-byte object.
 *
 * <p>Sizes are powers of two from 64 B to 64 KiB, starting at 2 KiB. A read that fills its buffer makes the next one
 * four times larger at once (bulk transfers reach 64 KiB within one read loop); a read loop whose bytes would have
 * fit in half the buffer, twice in a row, halves it.
 */
public final class CompactRecvByteBufAllocator extends DefaultMaxMessagesRecvByteBufAllocator {

  private static final int MIN_SHIFT = 6;
  private static final int INITIAL_SHIFT = 11;
  private static final int MAX_SHIFT = 16;
  /** What Netty's stream channels (NIO, epoll, io_uring) read per loop by default ({@code ChannelMetadata}). */
  private static final int STREAM_MESSAGES_PER_READ = 16;

  public CompactRecvByteBufAllocator() {
    super(STREAM_MESSAGES_PER_READ);
  }

  /**
   * Gives {@code bootstrap}'s accepted channels one allocator, unless a receive allocator is set already (Vert.x sets
   * a fixed-size one when a listener's {@code receiveBufferSize} is configured).
   */
  public static void install(ServerBootstrap bootstrap) {
    if (bootstrap.config().childOptions().get(ChannelOption.RCVBUF_ALLOCATOR) == null) {
      bootstrap.childOption(ChannelOption.RCVBUF_ALLOCATOR, new CompactRecvByteBufAllocator());
    }
  }

  /** {@link #install(ServerBootstrap)} for the channels {@code bootstrap} dials. */
  public static void install(Bootstrap bootstrap) {
    if (bootstrap.config().options().get(ChannelOption.RCVBUF_ALLOCATOR) == null) {
      bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new CompactRecvByteBufAllocator());
    }
  }

  @Override
  public RecvByteBufAllocator.Handle newHandle() {
    return new ReadHandle(this);
  }

  /** A channel's read state and its next buffer size. Loop thread only. */
  static final class ReadHandle implements RecvByteBufAllocator.ExtendedHandle {
    private final CompactRecvByteBufAllocator allocator;
    private ChannelConfig config;
    private int messages;
    private int totalBytes;
    private int attemptedBytes;
    private int lastBytes;
    /** log2 of the next buffer's size. */
    private byte shift = INITIAL_SHIFT;
    /** The last read loop would have fit in half the buffer. */
    private boolean halveNext;

    ReadHandle(CompactRecvByteBufAllocator allocator) {
      this.allocator = allocator;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return alloc.ioBuffer(guess());
    }

    @Override
    public int guess() {
      return 1 << shift;
    }

    @Override
    public void reset(ChannelConfig config) {
      this.config = config;
      messages = 0;
      totalBytes = 0;
    }

    @Override
    public void incMessagesRead(int numMessages) {
      messages += numMessages;
    }

    @Override
    public void lastBytesRead(int bytes) {
      lastBytes = bytes;
      if (bytes > 0) {
        // Saturates instead of wrapping: a negative total would stop the read loop.
        totalBytes = totalBytes + bytes < 0 ? Integer.MAX_VALUE : totalBytes + bytes;
        if (bytes == attemptedBytes) {
          // The buffer was too small: grow now, not at the end of the loop, so the rest of this loop reads in large
          // buffers.
          shift = (byte) Math.min(shift + 2, MAX_SHIFT);
          halveNext = false;
        }
      }
    }

    @Override
    public int lastBytesRead() {
      return lastBytes;
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      attemptedBytes = bytes;
    }

    @Override
    public int attemptedBytesRead() {
      return attemptedBytes;
    }

    @Override
    public boolean continueReading() {
      return canReadMore() && attemptedBytes == lastBytes;
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return canReadMore() && (!allocator.respectMaybeMoreData() || maybeMoreDataSupplier.get());
    }

    private boolean canReadMore() {
      return config.isAutoRead() && messages < allocator.maxMessagesPerRead() && totalBytes > 0;
    }

    @Override
    public void readComplete() {
      if (shift > MIN_SHIFT && totalBytes <= 1 << (shift - 1)) {
        if (halveNext) {
          shift--;
        }
        halveNext = !halveNext;
      } else {
        halveNext = false;
      }
    }
  }
}
