package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;

/**
 * Packet I/O on a TUN fd from one event loop; which kernel interface does the work depends on the
 * loop's transport ({@link IoUringTunChannel}: submitted reads and writes on the loop's ring;
 * {@link EpollTunChannel}: readiness on the loop's epoll set, then read(2)/write(2);
 * {@link NioTunChannel}: poll(2) and read(2) on a reader thread of its own, packets handed to the
 * loop, write(2) on the loop). Either way the packet handler runs on the loop.
 */
public interface TunChannel {

  /** Registers the fd on the loop and starts reading; completes on the loop. */
  Future<Void> open();

  /**
   * Queues or writes one IP packet; returns false (and counts it) when it had to be dropped. Takes
   * ownership of {@code packet}. Call on the loop.
   */
  boolean write(ByteBuf packet);

  /** Counters of this channel; read them on the loop. */
  TunChannelStats stats();

  /** The interface name. */
  String name();

  /** Which path moves the packets: {@code io_uring}, {@code epoll} or {@code reader-thread}. */
  String ioPath();

  /** Stops reading and closes the device; completes when the fd is closed. */
  Future<Void> shutdown();
}
