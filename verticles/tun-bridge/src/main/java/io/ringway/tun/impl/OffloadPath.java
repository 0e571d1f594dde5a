package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a TUN channel on a device with a virtio-net header (IFF_VNET_HDR) adds around its reads and
 * writes: each read is cut into inner packets ({@link TunOffload#split}) before the handler sees
 * them; writes wait until the loop has handled what was ready (at most {@link #MAX_PENDING}), then
 * go out coalesced ({@link TunOffload#coalesce}). On a device without the header, reads pass as
 * they are and {@link #active()} is false. One per channel, used on its loop only.
 */
final class OffloadPath {

  /** Writes held for one coalescing pass: 64 full-size segments fill more than one 64 KiB super-packet. */
  static final int MAX_PENDING = 64;

  private final boolean active;
  private final int mtu;
  private final EventLoop loop;
  private final Consumer<ByteBuf> onPacket;
  private final Consumer<ByteBuf> writer;
  private final TunChannelStats stats;
  private final List<ByteBuf> pending = new ArrayList<>(MAX_PENDING);
  private final Runnable flushTask = this::flush;
  private final Consumer<ByteBuf> counted;
  private ByteBuf scratch;
  private boolean flushScheduled;

  /**
   * @param active whether the device carries the vnet header
   * @param onPacket the bridge's handler of one inner packet
   * @param writer submits one prepared write (header and packet); takes ownership
   */
  OffloadPath(boolean active, int mtu, EventLoop loop, TunChannelStats stats, Consumer<ByteBuf> onPacket,
      Consumer<ByteBuf> writer) {
    this.active = active;
    this.mtu = mtu;
    this.loop = loop;
    this.stats = stats;
    this.onPacket = onPacket;
    this.writer = writer;
    this.counted = packet -> {
      stats.packetsRead++;
      stats.bytesRead += packet.readableBytes();
      try {
        onPacket.accept(packet);
      } catch (RuntimeException e) {
        stats.handlerFailures++;
      }
    };
  }

  boolean active() {
    return active;
  }

  /** Read buffer size: a whole super-packet behind its header, or one packet. */
  int readSize() {
    return active ? TunOffload.VNET_HDR_LEN + TunOffload.MAX_SUPER_PACKET : mtu;
  }

  /** Hands the inner packets of one read to the handler (counting them); the buffer stays the caller's. */
  void onRead(ByteBuf read) {
    stats.reads++;
    if (!active) {
      counted.accept(read);
      return;
    }
    if (scratch == null) {
      scratch = ByteBufAllocator.DEFAULT.directBuffer(mtu, mtu);
    }
    TunOffload.split(read, scratch, mtu, stats.offload, counted);
  }

  /** Takes one packet to write; it goes out coalesced once the loop is done with what was ready. */
  void write(ByteBuf packet) {
    pending.add(packet);
    if (pending.size() >= MAX_PENDING) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  /** Coalesces and submits what is pending. */
  void flush() {
    flushScheduled = false;
    if (pending.isEmpty()) {
      return;
    }
    try {
      TunOffload.coalesce(pending, ByteBufAllocator.DEFAULT, stats.offload, writer);
    } finally {
      pending.clear();
    }
  }

  /** Releases what is pending and the scratch buffer (the channel is closing). */
  void release() {
    for (ByteBuf packet : pending) {
      packet.release();
    }
    pending.clear();
    if (scratch != null) {
      scratch.release();
      scratch = null;
    }
  }
}
