package io.ringway.http.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.ringway.spi.CompactRecvByteBufAllocator;
import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The byte-level path's upstream connections of one router instance: bare Netty channels on the instance's loop, made
 * by the same transport as Vert.x's (io_uring, epoll or NIO), kept per endpoint for reuse. An endpoint given by name
 * is resolved at each new connection by Vert.x's own resolver (Netty's asynchronous DNS resolver, its cache, hosts
 * file and options), the one the decoding path's client resolves with, so the loop never blocks on a lookup. Loop
 * thread only.
 */
final class ByteUpstreams {

  /**
   * Idle connections kept per endpoint: as many as the decoding path's client pool holds (the clusters' default
   * {@code maxConnections}). Fewer, and every burst above that many requests in flight opens connections that close
   * when it ends and open again with the next one: a loop that fell behind pays a connect and a close per request
   * while it catches up, and falls further behind (docs/benchmarks.md, "A loop that fell behind").
   */
  private static final int MAX_IDLE = CircuitBreakerConfig.DEFAULT_LIMIT;
  /** An idle connection unused this long is closed, as the decoding path's client closes its idle ones. */
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Endpoints with a pool: more are a config churning through endpoints, and the pools start over. */
  private static final int MAX_POOLS = 4096;

  private final Bootstrap bootstrap;
  private final long idleTimeoutNanos;
  /**
   * Closes what has been idle too long, whether or not traffic comes: a burst's connections must not stay open to the
   * upstream for good once the traffic stops.
   */
  private final ScheduledFuture<?> sweep;
  private final Map<Endpoint, Pool> pools = new HashMap<>();
  private final AsciiBytes.Snapshot snapshot = new AsciiBytes.Snapshot();
  private final HeadLines headLines = new HeadLines();

  ByteUpstreams(Vertx vertx, EventLoop loop) {
    this(vertx, loop, IDLE_TIMEOUT);
  }

  /** With idle connections closed after {@code idleTimeout} to {@code idleTimeout} and a quarter. */
  ByteUpstreams(Vertx vertx, EventLoop loop, Duration idleTimeout) {
    this.bootstrap = new Bootstrap().group(loop)
        .channelFactory(((VertxInternal) vertx).transport().channelFactory(false))
        .resolver(((VertxInternal) vertx).nameResolver().nettyAddressResolverGroup())
        .option(ChannelOption.TCP_NODELAY, true)
        // A failed write shuts the output down, not the connection: the upstream's early answer can still be read.
        .option(ChannelOption.AUTO_CLOSE, false);
    CompactRecvByteBufAllocator.install(bootstrap);
    this.idleTimeoutNanos = idleTimeout.toNanos();
    long period = Math.max(1, idleTimeoutNanos / 4);
    this.sweep = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
  }

  /** The pool of {@code endpoint}. */
  Pool pool(Endpoint endpoint) {
    Pool pool = pools.get(endpoint);
    if (pool == null) {
      if (pools.size() >= MAX_POOLS) {
        closeIdle();
      }
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
      InetSocketAddress address;
      try {
        // A name is resolved at each connect by the bootstrap's resolver, as the decoding path's client resolves it.
        address = ip == null ? InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port())
            : new InetSocketAddress(InetAddress.getByAddress(ip), endpoint.port());
      } catch (UnknownHostException impossible) {
        throw new IllegalStateException(impossible);
      }
      pool = new Pool(address);
      pools.put(endpoint, pool);
    }
    return pool;
  }

  /** Closes every idle connection, forgets the pools and stops sweeping. */
  void close() {
    sweep.cancel(false);
    closeIdle();
  }

  private void closeIdle() {
    pools.values().forEach(pool -> {
      pool.idle.forEach(upstream -> upstream.channel().close());
      pool.idle.clear();
    });
    pools.clear();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Pool pool : pools.values()) {
      pool.trim(now);
    }
  }

  /** The connections of one endpoint. */
  final class Pool {

    private final InetSocketAddress address;
    private final ArrayDeque<ByteUpstream> idle = new ArrayDeque<>();

    private Pool(InetSocketAddress address) {
      this.address = address;
    }

    /** The loop's scratch copy for response heads (one head is read at a time on a loop). */
    AsciiBytes.Snapshot snapshot() {
      return snapshot;
    }

    /** The loop's line tables for response heads. */
    HeadLines headLines() {
      return headLines;
    }

    /** The most recently used idle connection still open, or null. */
    ByteUpstream take() {
      for (ByteUpstream upstream; (upstream = idle.pollFirst()) != null; ) {
        if (upstream.channel().isActive()) {
          return upstream;
        }
      }
      return null;
    }

    /** A new connection; its handler is the future channel's last. */
    ChannelFuture connect(long timeoutMillis) {
      return bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMillis,
          Integer.MAX_VALUE)).handler(new ByteUpstream(this)).connect(address);
    }

    /** A connection whose exchange ended cleanly: kept for the next request, or closed when enough are. */
    void put(ByteUpstream upstream) {
      long now = System.nanoTime();
      if (idle.size() >= MAX_IDLE) {
        // Full, maybe of connections the upstream closed since the last sweep: they must not keep a live one out.
        trim(now);
      }
      if (idle.size() < MAX_IDLE && upstream.channel().isActive()) {
        upstream.idle(now);
        idle.addFirst(upstream);
      } else {
        upstream.channel().close();
      }
    }

    /** Closes the connections idle past the timeout at {@code now} and forgets those the upstream closed. */
    private void trim(long now) {
      // The whole list: a connection the upstream closed can sit anywhere in it.
      for (Iterator<ByteUpstream> it = idle.iterator(); it.hasNext(); ) {
        ByteUpstream upstream = it.next();
        if (!upstream.channel().isActive()) {
          it.remove();
        } else if (now - upstream.idleSince() >= idleTimeoutNanos) {
          it.remove();
          upstream.channel().close();
        }
      }
    }

    /** Idle connections kept, open or closed by the upstream since the last sweep. */
    int idleCount() {
      return idle.size();
    }
  }

  /**
   * The field-line tables a response head is read into: one set per loop instead of ~1.6 KB per pooled connection, as a
   * head is read whole within one call and one at a time on a loop.
   */
  static final class HeadLines {
    final int[] start = new int[ByteUpstream.MAX_LINES];
    final int[] colon = new int[ByteUpstream.MAX_LINES];
    final int[] end = new int[ByteUpstream.MAX_LINES];
    final boolean[] dropped = new boolean[ByteUpstream.MAX_LINES];
  }
}
