package io.ringway.transport.uring;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.ringway.spi.AcceptedChannels;
import io.ringway.spi.CompactRecvByteBufAllocator;
import io.ringway.spi.KernelDefaultOptions;
import io.ringway.spi.ListenerInheritedOptions;
import io.vertx.core.impl.transports.IoUringTransport;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's io_uring transport with Ringway's ring tunables: Vert.x's own {@code Transport.IO_URING}
 * always builds rings with Netty's defaults, so this one hands Vert.x an SPI transport whose
 * {@link #ioHandlerFactory()} applies {@link IoUringOptions}, and leaves channels to Vert.x, plus the
 * {@link AcceptedChannels} hook on servers, minus the {@link KernelDefaultOptions} it would set, and with the
 * {@link ListenerInheritedOptions} set once on the listening socket instead of on every accepted one, and a
 * {@link CompactRecvByteBufAllocator} per server and client.
 */
final class TunedIoUringTransport implements Transport {

  private final Spi spi;

  TunedIoUringTransport(IoUringOptions options) {
    this.spi = new Spi(options);
  }

  @Override
  public String name() {
    return "io_uring";
  }

  @Override
  public boolean available() {
    return IoUring.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return IoUring.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return spi;
  }

  /** The Netty handler config these options produce; one per event loop is built from it. */
  static IoUringIoHandlerConfig handlerConfig(IoUringOptions options) {
    IoUringIoHandlerConfig config = new IoUringIoHandlerConfig();
    if (options.ringSize() != null) {
      config.setRingSize(options.ringSize());
    }
    if (options.cqSize() != null) {
      config.setCqSize(options.cqSize());
    }
    if (options.singleIssuer() != null) {
      config.setSingleIssuer(options.singleIssuer());
    }
    if (options.maxBoundedWorker() != null) {
      config.setMaxBoundedWorker(options.maxBoundedWorker());
    }
    if (options.maxUnboundedWorker() != null) {
      config.setMaxUnboundedWorker(options.maxUnboundedWorker());
    }
    IoUringOptions.BufferRing ring = options.bufferRing();
    if (ring != null) {
      config.setBufferRingConfig(IoUringBufferRingConfig.builder()
          .bufferGroupId(ring.groupId())
          .bufferRingSize(ring.entries())
          .batchSize(ring.batchSize())
          .incremental(ring.incremental())
          .allocator(new IoUringFixedBufferRingAllocator(ring.bufferSize()))
          .build());
    }
    return config;
  }

  private static final class Spi extends IoUringTransport {

    private final IoUringOptions options;
    private final IoUringIoHandlerConfig handlerConfig;
    private EventLoopGroup loops;
    private final FailedAcceptHold failedAcceptHold = new FailedAcceptHold();

    Spi(IoUringOptions options) {
      this.options = options;
      this.handlerConfig = handlerConfig(options);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return IoUringIoHandler.newFactory(handlerConfig);
    }

    /**
     * Unless {@code acceptOnEventLoop} is false, Vert.x's acceptor group is its event loops (Vert.x builds that
     * group first), with a round-robin of their own ({@link LoopsAsAcceptors}). A listening socket is registered
     * with a loop, and a connection it accepts for the same loop is registered there without crossing threads: no
     * task hand-off or wake-up, and no acceptor thread competing for the loops' cores (under TCP churn on one
     * pinned core that thread took 3 of 13 CPU-s per 100k connections; docs/benchmarks.md). Connections for other
     * loops are handed over as from the acceptor thread.
     */
    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
      if (type == ACCEPTOR_EVENT_LOOP_GROUP && loops != null && !Boolean.FALSE.equals(options.acceptOnEventLoop())) {
        return new LoopsAsAcceptors(loops);
      }
      EventLoopGroup group = super.eventLoopGroup(type, threads, threadFactory, ioRatio);
      if (type == IO_EVENT_LOOP_GROUP) {
        loops = group;
      }
      return group;
    }

    @Override
    public void configure(NetServerOptions serverOptions, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(serverOptions, domainSocket, bootstrap);
      KernelDefaultOptions.drop(bootstrap.config().childOptions(), option -> bootstrap.childOption(option, null));
      // The filter ahead of every handler Vert.x adds (TLS included): the last outbound step before the socket.
      AcceptedChannels.install(bootstrap, failedAcceptHold, EmptyWriteFilter.INSTANCE);
      ListenerInheritedOptions.move(bootstrap);
      CompactRecvByteBufAllocator.install(bootstrap);
      if (options.bufferRing() != null) {
        // Reads of accepted sockets take kernel-picked buffers from the ring instead of one per socket.
        bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, options.bufferRing().groupId());
      }
    }

    @Override
    public void configure(ClientOptionsBase clientOptions, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      super.configure(clientOptions, connectTimeout, domainSocket, bootstrap);
      KernelDefaultOptions.drop(bootstrap.config().options(), option -> bootstrap.option(option, null));
      CompactRecvByteBufAllocator.install(bootstrap);
      if (options.bufferRing() != null) {
        bootstrap.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, options.bufferRing().groupId());
      }
    }
  }
}
