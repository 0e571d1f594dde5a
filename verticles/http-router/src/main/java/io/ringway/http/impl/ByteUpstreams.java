package io.ringway.http.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte-level path's upstream connections of one router instance: bare Netty channels on the instance's loop, made
 * by the same transport as Vert.x's (io_uring, epoll or NIO), kept per endpoint for reuse. Only endpoints given as IP
 * addresses are reached here: a name would need a resolver call, and requests to such a cluster take the decoding
 * path, whose client resolves without blocking. Loop thread only.
 */
final class ByteUpstreams {

  /** Idle connections kept per endpoint, as the decoding path's client pool keeps at most 256. */
  private static final int MAX_IDLE = 256;
  /** Endpoints with a pool: more are a config churning through endpoints, and the pools start over. */
  private static final int MAX_POOLS = 4096;

  private final Bootstrap bootstrap;
  private final Map<Endpoint, Pool> pools = new HashMap<>();
  private final AsciiBytes.Snapshot snapshot = new AsciiBytes.Snapshot();
  private final Map<List<Endpoint>, Boolean> reachable = new IdentityHashMap<>();

  ByteUpstreams(Vertx vertx, EventLoop loop) {
    this.bootstrap = new Bootstrap().group(loop)
        .channelFactory(((VertxInternal) vertx).transport().channelFactory(false))
        .option(ChannelOption.TCP_NODELAY, true);
  }

  /**
   * Whether every endpoint is an IP address, so this path can connect to any of them; remembered per endpoint list (a
   * cluster keeps its list until its endpoints change), as this is asked for every request.
   */
  boolean reachable(List<Endpoint> endpoints) {
    Boolean known = reachable.get(endpoints);
    if (known == null) {
      if (reachable.size() >= MAX_POOLS) {
        reachable.clear();
      }
      known = allIpAddresses(endpoints);
      reachable.put(endpoints, known);
    }
    return known;
  }

  private static boolean allIpAddresses(List<Endpoint> endpoints) {
    for (Endpoint endpoint : endpoints) {
      if (!NetUtil.isValidIpV4Address(endpoint.host()) && !NetUtil.isValidIpV6Address(endpoint.host())) {
        return false;
      }
    }
    return true;
  }

  /** The pool of {@code endpoint}, or null when it is no IP address. */
  Pool pool(Endpoint endpoint) {
    Pool pool = pools.get(endpoint);
    if (pool == null) {
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
      if (ip == null) {
        return null;
      }
      if (pools.size() >= MAX_POOLS) {
        close();
      }
      try {
        pool = new Pool(new InetSocketAddress(InetAddress.getByAddress(ip), endpoint.port()));
      } catch (UnknownHostException impossible) {
        return null;
      }
      pools.put(endpoint, pool);
    }
    return pool;
  }

  /** Closes every idle connection and forgets the pools. */
  void close() {
    pools.values().forEach(pool -> {
      pool.idle.forEach(upstream -> upstream.channel().close());
      pool.idle.clear();
    });
    pools.clear();
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
      if (idle.size() < MAX_IDLE && upstream.channel().isActive()) {
        upstream.idle();
        idle.addFirst(upstream);
      } else {
        upstream.channel().close();
      }
    }
  }
}
