package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.ringway.spi.config.SniRouting;
import io.ringway.spi.config.TcpListenerConfig;
import io.ringway.spi.upstream.ProxyProtocolVersion;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.internal.net.NetSocketInternal;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One proxied connection from accept to the close of both sockets: optional PROXY header, upstream
 * connect with retries, then two {@link Relay}s. Both sockets live on the loop that accepted the
 * client: Vert.x registers the accepted channel on this instance's loop, and the upstream connect
 * runs on this instance's context, so nothing here is ever touched by two threads.
 *
 * <p>Endings: both FINs relayed closes both sides; a reset or I/O error on either side resets the
 * other (a broken stream must not look complete to the peer); idle timeout, refusal and undeploy
 * close. Whatever the ending, it is counted once and the lease, gauge and timers are released once.
 */
final class ProxyConnection {

  private static final System.Logger LOG = System.getLogger(ProxyConnection.class.getName());

  private final ProxyLoop loop;
  private final TcpListenerConfig config;
  private final ListenerStats stats;
  private final NodeShared.Gauge gauge;
  private final NetSocketInternal downstream;
  private NetSocketInternal upstream;
  private Relay toUpstream;
  private Relay toDownstream;
  private EndpointLease lease;
  private ByteBuf early;
  /** With {@code sni}: the hello read so far, until it decides the route. */
  private ByteBuf peeked;
  /** The original client and the address it connected to: the socket's, or a PROXY header's. */
  private InetSocketAddress client;
  private InetSocketAddress target;
  private final IdleTimer idle;
  private long headerTimer = -1;
  private long graceTimer = -1;
  private int finsForwarded;
  private boolean dialing;
  /** A close has begun; bytes already read still go through. */
  private boolean closing;
  /** Reset, error or refusal: bytes still queued are dropped. */
  private boolean aborted;
  private boolean downstreamClosed;
  private boolean upstreamClosed;
  private boolean finished;

  ProxyConnection(ProxyLoop loop, TcpListenerConfig config, ListenerStats stats, NodeShared.Gauge gauge,
                  NetSocketInternal downstream) {
    this.loop = loop;
    this.config = config;
    this.stats = stats;
    this.gauge = gauge;
    this.downstream = downstream;
    this.idle = new IdleTimer(loop.vertx, config.idleTimeout(), this::onIdle);
  }

  /** Takes the accepted socket over; called from the listener's connect handler, before the first read. */
  void start(CidrSet trusted) {
    loop.open.add(this);
    // Our handler before pause(): pausing Vert.x's default handler would pause a queue we then bypass.
    downstream.messageHandler(this::unexpected);
    HalfCloseRelay.downstream(downstream);
    downstream.setWriteQueueMaxSize(loop.tunables.writeQueueMaxSize());
    downstream.exceptionHandler(this::onError);
    downstream.closeHandler(closed -> onClosed(true));
    client = SocketOps.remote(downstream);
    target = SocketOps.local(downstream);
    idle.start();
    if (!config.acceptProxyProtocol()) {
      route(null);
    } else if (!trusted.contains(client == null ? null : client.getAddress())) {
      stats.untrustedSources++;
      refuse("PROXY header from untrusted source " + client);
    } else {
      readProxyHeader();
    }
  }

  private void readProxyHeader() {
    ProxyHeaderReader reader = new ProxyHeaderReader(loop.tunables.proxyHeaderMaxBytes(), new ProxyHeaderReader.Outcome() {
      @Override
      public void header(ProxyHeader header, ByteBuf rest) {
        loop.vertx.cancelTimer(headerTimer);
        if (header.hasAddresses()) {
          client = header.source();
          target = header.destination();
        }
        early = null;
        route(rest);
      }

      @Override
      public void rejected(String reason) {
        stats.proxyProtocolRejects++;
        refuse(reason);
      }
    });
    downstream.messageHandler(reader::onMessage);
    long millis = loop.tunables.proxyHeaderTimeout().toMillis();
    headerTimer = loop.vertx.setTimer(Math.max(1, millis), id -> reader.timedOut(millis));
  }

  /**
   * Picks the cluster: the listener's, or with {@code sni} the one the ClientHello names; {@code already} holds
   * the bytes read after a PROXY header, if any, which go upstream first.
   */
  private void route(ByteBuf already) {
    if (config.sni() == null) {
      downstream.pause();
      early = already;
      dial(config.cluster());
      return;
    }
    SniRouting sni = config.sni();
    ByteBuf hello = Unpooled.buffer(Math.min(sni.peekBytes(), 1024), sni.peekBytes() + 1);
    peeked = hello;
    if (already != null) {
      hello.writeBytes(already, Math.min(already.readableBytes(), sni.peekBytes() + 1));
      already.release();
    }
    long millis = sni.peekTimeout().toMillis();
    headerTimer = loop.vertx.setTimer(Math.max(1, millis), id -> {
      if (hello.refCnt() > 0) {
        stats.sniTimeouts++;
        unmatched(hello, "no complete ClientHello within " + millis + " ms");
      }
    });
    downstream.messageHandler(message -> {
      if (!(message instanceof ByteBuf bytes) || hello.refCnt() == 0) {
        ReferenceCountUtil.release(message);
        if (message == HalfCloseRelay.END_OF_INPUT && hello.refCnt() > 0) {
          hello.release();
          refuse("connection ended during its ClientHello");
        }
        return;
      }
      hello.writeBytes(bytes, Math.min(bytes.readableBytes(), hello.maxWritableBytes()));
      bytes.release();
      judge(hello);
    });
    judge(hello);
  }

  /** Routes once the bytes so far decide: a whole hello, something that is not one, or more than peekBytes. */
  private void judge(ByteBuf hello) {
    SniRouting sni = config.sni();
    ClientHelloSni.Result result = ClientHelloSni.parse(hello);
    if (result instanceof ClientHelloSni.NeedMore) {
      if (hello.readableBytes() > sni.peekBytes()) {
        stats.sniTooLarge++;
        unmatched(hello, "no complete ClientHello in " + sni.peekBytes() + " bytes");
      }
      return;
    }
    loop.vertx.cancelTimer(headerTimer);
    if (result instanceof ClientHelloSni.Found found && sni.clusterFor(found.serverName()) != null) {
      stats.sniRouted++;
      forward(hello, sni.clusterFor(found.serverName()));
    } else {
      unmatched(hello, switch (result) {
        case ClientHelloSni.Found found -> "no route for " + found.serverName();
        case ClientHelloSni.NotTls notTls -> notTls.reason();
        default -> "no server name";
      });
    }
  }

  /** A connection no route takes: to the listener's cluster, or closed, as {@code sni.unmatched} says. */
  private void unmatched(ByteBuf hello, String why) {
    loop.vertx.cancelTimer(headerTimer);
    if (config.sni().unmatched() == SniRouting.Unmatched.DEFAULT) {
      stats.sniDefault++;
      forward(hello, config.cluster());
    } else {
      stats.sniClosed++;
      hello.release();
      refuse(why);
    }
  }

  /** The peeked bytes go first, as they came. */
  private void forward(ByteBuf hello, String cluster) {
    peeked = null;
    downstream.pause();
    downstream.messageHandler(this::unexpected);
    if (hello.isReadable()) {
      early = hello;
    } else {
      hello.release();
    }
    dial(cluster);
  }

  private void dial(String clusterName) {
    UpstreamCluster cluster = loop.clusters.get(clusterName);
    if (cluster == null) {
      stats.noUpstream++;
      refuse("unknown cluster " + clusterName);
      return;
    }
    Duration timeout = config.connectTimeout() != null ? config.connectTimeout() : cluster.config().connectTimeout();
    String hashKey = client == null ? null : client.getAddress().getHostAddress();
    ProxyProtocolVersion send = cluster.config().sendProxyProtocol();
    dialing = true;
    loop.dialer.dial(cluster, hashKey, config.connectRetries(), timeout, () -> stats.connectFailures++)
        .onComplete(dialed -> {
          dialing = false;
          if (dialed.succeeded()) {
            pair(dialed.result(), send);
          } else if (!closing) {
            stats.noUpstream++;
            refuse("no upstream: " + dialed.cause().getMessage());
          } else {
            maybeFinish();
          }
        });
  }

  private void pair(UpstreamDialer.Dialed dialed, ProxyProtocolVersion send) {
    upstream = dialed.socket();
    lease = dialed.lease();
    upstream.exceptionHandler(this::onError);
    upstream.closeHandler(closed -> onClosed(false));
    if (closing) {
      // the client left while we were connecting
      SocketOps.closeNow(upstream);
      return;
    }
    HalfCloseRelay.upstream(upstream);
    upstream.setWriteQueueMaxSize(loop.tunables.writeQueueMaxSize());
    toUpstream = new Relay(this, downstream, upstream, true);
    toDownstream = new Relay(this, upstream, downstream, false);
    // First, since the upstream may speak first (a banner) and its bytes must find a handler.
    toDownstream.start();
    byte[] header = ProxyProtocolEncoder.encode(send, client, target);
    if (header.length > 0) {
      toUpstream.send(Unpooled.wrappedBuffer(header));
    }
    if (early != null) {
      toUpstream.forwardEarly(early);
      early = null;
    }
    toUpstream.start();
    downstream.resume();
    loop.tunables.observer().paired(channel(downstream), channel(upstream));
  }

  void onBytes(boolean upstreamBound, int bytes) {
    idle.touch();
    if (upstreamBound) {
      stats.bytesIn += bytes;
    } else {
      stats.bytesOut += bytes;
    }
  }

  /** Called once per direction whose FIN reached the other side; after both, nothing can flow. */
  void onFinForwarded() {
    if (++finsForwarded == 2 && !closing) {
      // Each FIN went out after everything before it was flushed: nothing is left to send.
      closeNow();
    }
  }

  boolean isAborted() {
    return aborted;
  }

  /**
   * Closes both sockets at once (FIN after what the kernel holds; our queues are dropped). Used at
   * undeploy, on idle timeout, and when a graceful close outlives its grace.
   */
  void closeNow() {
    closing = true;
    SocketOps.closeNow(downstream);
    if (upstream != null) {
      SocketOps.closeNow(upstream);
    }
  }

  private void onError(Throwable cause) {
    if (closing) {
      return;
    }
    boolean reset = SocketOps.isReset(cause);
    if (reset) {
      stats.resets++;
    } else {
      stats.errors++;
    }
    LOG.log(Level.DEBUG, () -> "tcp " + config.name() + ": " + client + " ended by " + (reset ? "reset" : "error")
        + ": " + cause.getMessage());
    abort();
  }

  /** Resets both sides: what is still queued either way is dropped. */
  private void abort() {
    closing = true;
    aborted = true;
    SocketOps.reset(downstream);
    if (upstream != null) {
      SocketOps.reset(upstream);
    }
  }

  private void onClosed(boolean downstreamSide) {
    Relay fromClosed = downstreamSide ? toUpstream : toDownstream;
    Relay intoClosed = downstreamSide ? toDownstream : toUpstream;
    NetSocketInternal other = downstreamSide ? upstream : downstream;
    if (downstreamSide) {
      downstreamClosed = true;
    } else {
      upstreamClosed = true;
    }
    if (!closing && intoClosed != null && !intoClosed.ended()) {
      // The kernel closed a socket we had not sent FIN on: its peer reset it after its own FIN
      // (the read saw EOF, then shutdown(SHUT_RD) failed with ENOTCONN). Pass the reset on.
      stats.resets++;
      abort();
    } else if (!closing) {
      // Both FINs crossed this socket and Netty closed it (shutdown(SHUT_RD) fails with ENOTCONN
      // once the kernel sees the connection fully closed). Bytes and the FIN it read may still wait
      // in Vert.x's queue while paused: deliver them first, then close the other side after what
      // it has queued.
      closing = true;
      boolean nothingToFlush = fromClosed != null && !fromClosed.ended() && fromClosed.holdsNothing();
      if (fromClosed != null) {
        fromClosed.drainClosedSource();
      }
      if (other != null && nothingToFlush) {
        // Every byte read from the closed side was written to the other one already: its close sends FIN
        // after them, with no grace timer to set and cancel. The common ending under connection churn.
        SocketOps.closeNow(other);
      } else if (other != null) {
        // Vert.x closes after flushing; a peer that never reads gets the grace, then closeNow.
        other.close();
        graceTimer = loop.vertx.setTimer(Math.max(1, loop.tunables.closeGrace().toMillis()), id -> closeNow());
      }
    }
    // Vert.x 5.0.10 keeps what a paused socket read in a queue that its close does not release (VertxConnection's
    // pending messages): resumed, the socket hands them to its handler now, which drops them (aborted, refused) or
    // writes them to the other side (released there if it is closed too). Paused sockets are those of a stalled
    // relay, and the client's while the upstream connects; a closeNow or a reset found them so and leaked what they
    // held (Netty's paranoid leak detector, BackpressureTest and ProxyingTest in CI).
    if (fromClosed != null) {
      fromClosed.drainClosedSource();
    } else {
      (downstreamSide ? downstream : upstream).resume();
    }
    maybeFinish();
  }

  private void refuse(String reason) {
    LOG.log(Level.DEBUG, () -> "tcp " + config.name() + ": refused " + client + ": " + reason);
    abort();
  }

  private void unexpected(Object message) {
    // The socket is paused until the upstream is ready; bytes here would be lost, so say so loudly.
    ReferenceCountUtil.release(message);
    if (!closing) {
      stats.errors++;
      LOG.log(Level.WARNING, "tcp " + config.name() + ": bytes read before the upstream was ready; closing " + client);
      refuse("read while paused");
    }
  }

  private void onIdle() {
    if (!closing) {
      stats.idleTimeouts++;
      // Nothing moved either way for the whole window, so whatever is queued is stuck anyway.
      closeNow();
    }
  }

  private void maybeFinish() {
    if (finished || !downstreamClosed || dialing || (upstream != null && !upstreamClosed)) {
      return;
    }
    finished = true;
    idle.cancel();
    loop.vertx.cancelTimer(headerTimer);
    loop.vertx.cancelTimer(graceTimer);
    if (lease != null) {
      lease.release();
    }
    if (early != null) {
      early.release();
      early = null;
    }
    if (peeked != null && peeked.refCnt() > 0) {
      peeked.release();
    }
    peeked = null;
    stats.active--;
    gauge.release();
    loop.open.remove(this);
    // Vert.x keeps what it read while paused in its own queue and drops it on close unreleased;
    // resuming hands it to our handlers, whose writes to a closed socket release it.
    downstream.resume();
    if (upstream != null) {
      upstream.resume();
    }
    loop.tunables.observer().closed(channel(downstream), upstream == null ? null : channel(upstream));
  }

  private static Channel channel(NetSocketInternal socket) {
    return socket.channelHandlerContext().channel();
  }
}
