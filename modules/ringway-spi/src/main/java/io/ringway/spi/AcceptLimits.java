package io.ringway.spi;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections a listening port holds at once, node-wide, the way HAProxy's {@code maxconn} does it:
 * at the cap the port's listening sockets stop accepting, so new connections wait in the kernel's accept queue
 * (costing no heap and no file descriptor of ours) instead of in the process; accepting resumes once a
 * sixteenth of the cap has closed. Connections the kernel had already accepted when accepting stopped are still
 * taken: on io_uring, whose multishot accept takes every connection queued at once, a burst may pass the cap by
 * up to the listen backlog; connections arriving one by one stop at the cap.
 *
 * <p>Also keeps accept failures from spinning a loop. When the process is out of file descriptors, accept
 * fails at once each time it is retried, and Netty's io_uring channel re-arms a failed multishot accept
 * whatever its auto-read says: one log line with a stack trace per failure, a core at 100 %. Every listening
 * socket's gate instead stops accepting for {@value #RETRY_AFTER_MS} ms on EMFILE, ENFILE, ENOBUFS or ENOMEM
 * (auto-read off, and the transport's {@link AcceptedChannels.AcceptHold}), counts each failure and logs at
 * most one line per {@value #LOG_EVERY_MS} ms; other failures (a client gone before its accept) are counted and
 * logged the same way, and accepting goes on.
 */
public final class AcceptLimits {

  /** A port's cap as one listener instance set it, with what its listening socket's gate counted. */
  public interface Limit extends AcceptedChannels.Registration {

    /** Times a listening socket on this instance's loop stopped accepting at the cap. */
    long pauses();

    /** Accepts that failed on this instance's loop (EMFILE and the like; the client waits or retries). */
    long acceptErrors();

    /** Whether a listening socket on this instance's loop is not accepting now (at the cap or backing off). */
    boolean paused();
  }

  static final long RETRY_AFTER_MS = 100;
  static final long LOG_EVERY_MS = 10_000;
  private static final int RESERVED_FDS = 64;

  private static final System.Logger LOG = System.getLogger(AcceptLimits.class.getName());
  private static final ConcurrentMap<Integer, Port> PORTS = new ConcurrentHashMap<>();

  private AcceptLimits() {
  }

  /**
   * Caps the connections open at once on {@code port} at {@code maxConnections}, counted over every connection
   * accepted on its listening sockets (those of other instances included). Replaces the cap an earlier
   * registration of the same port and loop set (a listener and its replacement on reload); the connections
   * open keep counting.
   *
   * @return the registration, with the counters of the listening socket on {@code loop}; closing it lifts this cap
   *     unless a later registration replaced it
   */
  public static Limit limit(int port, EventLoop loop, int maxConnections) {
    Objects.requireNonNull(loop, "loop");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " must be positive");
    }
    Port shared = port(port);
    LimitImpl limit = new LimitImpl(shared, loop, maxConnections);
    shared.limits.put(loop, limit);
    shared.reconsiderAll();
    return limit;
  }

  /**
   * The cap that keeps a node's connections within its open-file limit ({@code ulimit -n}, which the JVM raises to
   * the hard limit at start): what is left of the limit after the descriptors open at the first call (the first
   * listener's start, before any traffic) and {@value #RESERVED_FDS} more (logs, config reads, admin and
   * health-check connections), halved, as a proxied connection may hold an upstream one (HAProxy's rule for
   * {@code maxconn}). The same for every later call: a listener replaced under load gets no smaller cap.
   */
  public static int maxConnectionsForOpenFileLimit() {
    return OpenFileLimit.MAX_CONNECTIONS;
  }

  private static final class OpenFileLimit {
    static final int MAX_CONNECTIONS = compute();

    private static int compute() {
      if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix)) {
        return 10_000_000;
      }
      long left = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - RESERVED_FDS;
      return (int) Math.clamp(left / 2, 1, 10_000_000);
    }
  }

  /** The gate of one listening socket, bound to {@code port}; it leaves the port when the socket closes. */
  static SocketGate gate(Channel socket, int port, AcceptedChannels.AcceptHold hold) {
    SocketGate gate = new SocketGate(socket, port(port), hold);
    gate.port.gates.add(gate);
    socket.closeFuture().addListener(closed -> {
      gate.port.gates.remove(gate);
      if (gate.atCap) {
        gate.setAtCap(false, null);
      }
    });
    return gate;
  }

  /** This process's bound listening sockets on {@code port}: those with a gate that has not closed. */
  static List<Channel> listeningSockets(int port) {
    Port shared = PORTS.get(port);
    return shared == null ? List.of() : shared.gates.stream().map(gate -> gate.socket).toList();
  }

  private static Port port(int port) {
    return PORTS.computeIfAbsent(port, p -> new Port());
  }

  /** One port's count of open connections, its caps by loop, and its listening sockets' gates. */
  private static final class Port {
    final AtomicInteger open = new AtomicInteger();
    final ConcurrentMap<EventLoop, LimitImpl> limits = new ConcurrentHashMap<>();
    final Set<SocketGate> gates = ConcurrentHashMap.newKeySet();
    /** Gates at the cap now: a close looks for one to wake only when there is one. */
    final AtomicInteger gatesAtCap = new AtomicInteger();

    /** The cap in force for a socket on {@code loop}: its instance's, else any instance's; null: none. */
    LimitImpl limitFor(EventLoop loop) {
      LimitImpl own = limits.get(loop);
      if (own != null || limits.isEmpty()) {
        return own;
      }
      return limits.values().stream().findFirst().orElse(null);
    }

    void reconsiderAll() {
      gates.forEach(SocketGate::reconsiderLater);
    }
  }

  private static final class LimitImpl implements Limit {
    final Port port;
    final EventLoop loop;
    final int max;
    /** Resume once the open connections fall to this: accepting does not flap on every close at the cap. */
    final int resumeAt;
    volatile long pauses;
    volatile long acceptErrors;
    volatile boolean paused;

    LimitImpl(Port port, EventLoop loop, int max) {
      this.port = port;
      this.loop = loop;
      this.max = max;
      this.resumeAt = max - Math.max(1, max / 16);
    }

    @Override
    public long pauses() {
      return pauses;
    }

    @Override
    public long acceptErrors() {
      return acceptErrors;
    }

    @Override
    public boolean paused() {
      return paused;
    }

    @Override
    public void close() {
      if (port.limits.remove(loop, this)) {
        port.reconsiderAll();
      }
    }
  }

  /**
   * Runs on its listening socket's loop, but for a connection's close (on that connection's loop) and
   * {@link #reconsiderLater}, which hop there.
   */
  static final class SocketGate implements ChannelFutureListener {
    private final Channel socket;
    private final EventLoop loop;
    private final Port port;
    /** Not accepting because the cap was reached; read by closes on other loops. */
    private volatile boolean atCap;
    /** Not accepting until this {@link System#nanoTime}, after a failed accept; 0 when not backing off. */
    private long backingOffUntil;
    private long lastLogNanos;
    private long failuresSinceLog;
    private final AcceptedChannels.AcceptHold hold;
    /** Whether {@link #hold} holds the socket now. */
    private boolean held;

    private SocketGate(Channel socket, Port port, AcceptedChannels.AcceptHold hold) {
      this.socket = socket;
      this.hold = hold;
      this.loop = socket.eventLoop();
      this.port = port;
    }

    /** Counts {@code child} until it closes; at the cap, stops this socket accepting. */
    void accepted(Channel child) {
      int open = port.open.incrementAndGet();
      // The gate itself listens: a lambda here would be an object per connection, kept while it is open.
      child.closeFuture().addListener(this);
      LimitImpl limit = port.limitFor(loop);
      if (limit != null && open >= limit.max && !atCap) {
        setAtCap(true, limit);
        apply(limit);
        // A close between the count and atCap saw no paused socket to wake.
        if (port.open.get() <= limit.resumeAt) {
          reconsider();
        }
      }
    }

    /** A counted connection closed. */
    @Override
    public void operationComplete(ChannelFuture closed) {
      int open = port.open.decrementAndGet();
      if (port.gatesAtCap.get() == 0) {
        return;
      }
      for (SocketGate gate : port.gates) {
        if (gate.atCap) {
          LimitImpl limit = port.limitFor(gate.loop);
          if (limit == null || open <= limit.resumeAt) {
            gate.reconsiderLater();
          }
        }
      }
    }

    /**
     * Takes a failed accept: for running out of descriptors or memory, stops accepting for a while.
     *
     * @return whether the failure was taken (else it goes on to Netty's acceptor, which pauses a second)
     */
    boolean failed(ChannelHandlerContext ctx, Throwable cause) {
      if (!(cause instanceof IOException)) {
        return false;
      }
      LimitImpl limit = port.limitFor(loop);
      if (limit != null) {
        limit.acceptErrors++;
      }
      boolean exhausted = outOfResources(cause);
      failuresSinceLog++;
      long now = System.nanoTime();
      if (lastLogNanos == 0 || now - lastLogNanos >= TimeUnit.MILLISECONDS.toNanos(LOG_EVERY_MS)) {
        LOG.log(System.Logger.Level.WARNING, "port " + portOf(socket) + ": accept failed " + failuresSinceLog
            + (failuresSinceLog == 1 ? " time" : " times") + " (last: " + cause.getMessage() + ")"
            + (exhausted ? "; accepting again in " + RETRY_AFTER_MS + " ms, clients wait in the accept queue" : ""));
        lastLogNanos = now;
        failuresSinceLog = 0;
      }
      if (exhausted) {
        backingOffUntil = now + TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MS);
        apply(limit);
        if (!held) {
          held = true;
          hold.hold(socket, true);
          loop.schedule(this::reconsider, RETRY_AFTER_MS, TimeUnit.MILLISECONDS);
        }
      }
      return true;
    }

    void reconsiderLater() {
      loop.execute(this::reconsider);
    }

    private void reconsider() {
      LimitImpl limit = port.limitFor(loop);
      if (atCap && (limit == null || port.open.get() <= limit.resumeAt)) {
        setAtCap(false, limit);
      } else if (!atCap && limit != null && port.open.get() >= limit.max) {
        setAtCap(true, limit);
      }
      if (backingOffUntil != 0 && System.nanoTime() - backingOffUntil >= 0) {
        backingOffUntil = 0;
        held = false;
        hold.hold(socket, false);
      }
      apply(limit);
    }

    private void setAtCap(boolean now, LimitImpl limit) {
      atCap = now;
      port.gatesAtCap.addAndGet(now ? 1 : -1);
      if (now) {
        limit.pauses++;
      }
    }

    private void apply(LimitImpl limit) {
      boolean accepting = !atCap && backingOffUntil == 0;
      if (limit != null) {
        limit.paused = !accepting;
      }
      if (socket.isOpen() && socket.config().isAutoRead() != accepting) {
        socket.config().setAutoRead(accepting);
      }
    }

    private static Object portOf(Channel socket) {
      return socket.localAddress() instanceof java.net.InetSocketAddress local ? local.getPort() : socket.localAddress();
    }
  }

  /** EMFILE, ENFILE, ENOBUFS, ENOMEM, by their strerror text: how Netty's natives and the JDK both report them. */
  private static boolean outOfResources(Throwable cause) {
    String message = String.valueOf(cause.getMessage());
    return message.contains("Too many open files") || message.contains("No buffer space available")
        || message.contains("Cannot allocate memory");
  }
}
