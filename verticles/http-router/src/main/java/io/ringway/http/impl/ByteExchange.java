package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.PendingRequest;
import io.ringway.upstream.PickResult;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.internal.ContextInternal;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One request of the byte-level path, from pick to the response's last byte: the same policy as {@link ProxyExchange}
 * (tries on endpoints not tried yet, a failover retry outside the budget when no server saw the request, a budgeted
 * retry on 502/503/504 or a reset, per-try and route timeouts, 503/502/504 of its own), for a GET or HEAD, or a POST or
 * PUT with a Content-Length body. The upstream head was built once and each try sends it again. The body comes from the
 * client connection in pieces as it is read and goes on to the try in flight; the first {@link #REPLAY_LIMIT} bytes
 * are kept so that a retry sends them again, as the decoding path keeps them, and a try that fails after more went up
 * is not retried. A pooled connection that turns out closed before a byte of response (the upstream timed it out while
 * it was idle) is replaced by a new one to the same endpoint, once, and that is no try, for a request that may be
 * retried. Loop thread only.
 */
final class ByteExchange extends RequestDeadlines.Entry {

  private static final byte[] TEXT_PLAIN = ("content-type: text/plain; charset=utf-8\r\nvia: " + ProxyHeaders.VIA
      + "\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OVERLOADED = (ProxyHeaders.OVERLOADED + ": true\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Body bytes kept for a retry to send again: the decoding path's limit. */
  private static final int REPLAY_LIMIT = ProxyExchange.REPLAY_LIMIT;

  private final ByteConnection connection;
  private final ContextInternal context;
  private final ByteUpstreams upstreams;
  private final Route route;
  private final RoutePolicy policy;
  private final UpstreamCluster cluster;
  private final UpstreamStats upstreamStats;
  private final Outcome outcome;
  /** The request head as every try sends it; released when the exchange ends. */
  private final ByteBuf upstreamHead;
  private final boolean headRequest;
  /** The method may be retried after a server may have seen it (idempotent, or the route's retryNonIdempotent). */
  private final boolean retryable;
  /** The body's length (0: none), and how much of it the client connection handed on so far. */
  private final long bodyLength;
  /** Not on an idle pooled connection ({@link RetryDecision#needsNewConnection}). */
  private final boolean newConnection;
  /** The first request the client connection had on this path. */
  private final boolean firstOnConnection;
  private long bodyRead;
  /**
   * A copy of the body sent to a try while it fits {@link #REPLAY_LIMIT}, for a retry; null once more went up. A copy,
   * not the pieces: a body sent a byte per read would otherwise keep a read buffer per byte.
   */
  private ByteBuf replay;
  /** Pieces read while no try could take them (connecting, between tries); the client is not read meanwhile. */
  private ArrayDeque<ByteBuf> unsent;
  /** Endpoints tried so far, in order; a list of its own only once there is more than one (a retry). */
  private List<Endpoint> tried = List.of();
  /** The upstream head went to a connection once: a later try sends a slice of it, read from its start again. */
  private boolean headSent;
  private Try current;
  /** The request's place in its cluster's queue while the cluster is at its limits. */
  private PendingRequest waiting;
  private boolean finished;
  private boolean headWritten;
  private boolean lastTryTimedOut;
  private boolean retryPermit;
  private int status;

  ByteExchange(ByteConnection connection, ContextInternal context, ByteUpstreams upstreams, Route route, UpstreamCluster cluster,
               UpstreamStats upstreamStats, Outcome outcome, ByteBuf upstreamHead, int method, long bodyLength,
               boolean firstOnConnection) {
    this.connection = connection;
    this.context = context;
    this.upstreams = upstreams;
    this.route = route;
    this.policy = route.policy();
    this.cluster = cluster;
    this.upstreamStats = upstreamStats;
    this.outcome = outcome;
    this.upstreamHead = upstreamHead;
    this.headRequest = method == ByteRequestHead.HEAD;
    this.retryable = RetryDecision.retryable(ByteRequestHead.METHODS[method], policy);
    this.bodyLength = bodyLength;
    this.newConnection = RetryDecision.needsNewConnection(firstOnConnection, retryable && bodyLength <= REPLAY_LIMIT);
    this.firstOnConnection = firstOnConnection;
    this.replay = bodyLength > 0
        ? connection.channel().alloc().directBuffer((int) Math.min(bodyLength, REPLAY_LIMIT), REPLAY_LIMIT) : null;
  }

  void start() {
    route.deadlines(context).add(this);
    nextTry();
  }

  private void nextTry() {
    switch (cluster.pickOrWait(null, tried, this::picked)) {
      case EndpointLease lease -> send(lease);
      case Refusal refusal -> refuse(refusal);
      case PendingRequest queued -> waiting = queued;
    }
  }

  /** Whether the request waits in its cluster's queue: no try of it was sent yet. */
  boolean waitsInQueue() {
    return waiting != null;
  }

  /** The turn of a request that waited in its cluster's queue. */
  private void picked(PickResult result) {
    waiting = null;
    switch (result) {
      case EndpointLease lease -> send(lease);
      case Refusal refusal -> refuse(refusal);
    }
  }

  private void refuse(Refusal refusal) {
    if (retryPermit) {
      retryPermit = false;
      route.stats().endRetry();
    }
    RefusedTry answer = RefusedTry.of(refusal, tried.size(), lastTryTimedOut, route.stats());
    finishWithError(answer.status(), answer.message(), answer.overloaded());
  }

  private void send(EndpointLease lease) {
    Try attempt = new Try(lease, retryPermit);
    retryPermit = false;
    current = attempt;
    if (tried.isEmpty()) {
      tried = List.of(lease.endpoint());
    } else {
      List<Endpoint> more = new ArrayList<>(tried);
      more.add(lease.endpoint());
      tried = more;
    }
    outcome.upstream = lease.endpoint();
    upstreamStats.requests++;
    if (tried.size() > 1) {
      route.stats().retries++;
    }
    if (policy.perTryTimeout() != null) {
      attempt.timer = context.setTimer(policy.perTryTimeout().toMillis(), id -> attempt.timedOut());
    }
    ByteUpstreams.Pool pool = upstreams.pool(lease.endpoint());
    ByteUpstream pooled = null;
    if (newConnection) {
      upstreamStats.newConnectionRequests++;
    } else {
      pooled = pool.take();
    }
    if (pooled != null) {
      attempt.sendOn(pooled);
    } else {
      attempt.connect(pool);
    }
  }

  /** Whether another try follows a failed one ({@link RetryDecision}). */
  private boolean retry(boolean unprocessed) {
    RetryDecision.Next next = RetryDecision.after(unprocessed, !finished && !bodyStarted(), retryable, tried.size(),
        route);
    retryPermit = next == RetryDecision.Next.RETRY;
    return next != RetryDecision.Next.NONE;
  }

  /** Body bytes went up that a retry could not send again. */
  private boolean bodyStarted() {
    return bodyLength > 0 && replay == null;
  }

  /** A piece of the request body, read from the client: on to the try in flight, or kept until one can take it. */
  void body(ByteBuf piece) {
    if (finished) {
      piece.release();
      return;
    }
    bodyRead += piece.readableBytes();
    Try attempt = current;
    if (attempt != null && attempt.sending && !attempt.over && (unsent == null || unsent.isEmpty())) {
      attempt.sendBody(piece);
      attempt.upstream.channel().flush();
      return;
    }
    if (unsent == null) {
      unsent = new ArrayDeque<>(2);
    }
    unsent.add(piece);
    connection.readBody(false);
  }

  /** The whole body was read from the client (and the request with it). */
  private boolean bodyAllRead() {
    return bodyRead == bodyLength;
  }

  @Override
  void expired(RequestDeadlines from) {
    if (finished || current != null && current.responded) {
      return;
    }
    route.stats().timeouts++;
    if (current != null) {
      current.abandon();
    }
    finishWithError(504, "upstream request timeout", false);
  }

  /** The client closed its connection: the upstream side is let go. */
  void clientGone() {
    if (finished) {
      return;
    }
    if (current != null) {
      current.abandon();
    }
    end(0);
  }

  /** The client's connection can take more again (or not): the upstream's reading follows it. */
  void downstreamWritable(boolean writable) {
    if (current != null && current.upstream != null && !current.over) {
      current.upstream.channel().config().setAutoRead(writable);
    }
  }

  private void finishWithError(int status, String message, boolean overloaded) {
    if (finished) {
      return;
    }
    if (headWritten) {
      // The response is under way: only closing tells the client it is incomplete. The connection closes as the
      // exchange ends, before it takes a pipelined request: an answer written after the cut one would reach the client
      // as the rest of it.
      connection.closeAfterError();
      end(0);
      return;
    }
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    Channel down = connection.channel();
    ByteBuf out = down.alloc().directBuffer(192 + body.length);
    out.writeCharSequence("HTTP/1.1 " + status + " " + HttpResponseStatus.valueOf(status).reasonPhrase() + "\r\n",
        StandardCharsets.US_ASCII);
    if (overloaded) {
      out.writeBytes(OVERLOADED);
    }
    out.writeBytes(TEXT_PLAIN);
    if (!bodyAllRead()) {
      // Part of the body is unread, as on the decoding path: the connection closes after this answer.
      connection.closeAfterError();
    }
    if (connection.closeAfterResponse()) {
      out.writeBytes(CLOSE);
    }
    out.writeCharSequence("content-length: " + body.length + "\r\n\r\n", StandardCharsets.US_ASCII);
    if (!headRequest) {
      out.writeBytes(body);
    }
    outcome.bytesOut += out.readableBytes();
    down.writeAndFlush(out, down.voidPromise());
    end(status);
  }

  /** The exchange is over: counted, logged, and the connection free for its next request. */
  private void end(int status) {
    finished = true;
    cancelDeadline();
    if (waiting != null) {
      waiting.cancel();
      waiting = null;
    }
    if (retryPermit) {
      retryPermit = false;
      route.stats().endRetry();
    }
    upstreamHead.release();
    releaseBody();
    outcome.finish(status);
    connection.exchangeDone();
  }

  private void releaseBody() {
    if (replay != null) {
      replay.release();
      replay = null;
    }
    if (unsent != null) {
      unsent.forEach(ByteBuf::release);
      unsent.clear();
    }
  }

  /** One upstream attempt; it hears its response as the connection's owner. */
  private final class Try implements ByteUpstream.Owner {

    final EndpointLease lease;
    private boolean holdsRetry;
    ByteUpstream upstream;
    long timer = -1;
    boolean responded;
    boolean over;
    /** A fresh connection replaced a pooled one found closed. */
    private boolean replacedStale;
    /** The head went up on {@link #upstream}: body pieces go straight to it. */
    boolean sending;

    Try(EndpointLease lease, boolean holdsRetry) {
      this.lease = lease;
      this.holdsRetry = holdsRetry;
    }

    void connect(ByteUpstreams.Pool pool) {
      pool.connect(cluster.config().connectTimeout().toMillis()).addListener((ChannelFutureListener) connected -> {
        ByteUpstream made = (ByteUpstream) connected.channel().pipeline().last();
        if (!connected.isSuccess()) {
          connectFailed(connected.cause());
        } else if (over) {
          made.channel().close();
        } else {
          sendOn(made);
        }
      });
    }

    void sendOn(ByteUpstream upstream) {
      if (over) {
        upstream.pool.put(upstream);
        return;
      }
      this.upstream = upstream;
      lease.connected();
      ByteBuf head = headSent ? upstreamHead.retainedSlice(0, upstreamHead.writerIndex()) : upstreamHead.retain();
      headSent = true;
      upstream.send(this, connection.channel(), head, headRequest, policy.responseHeaders(), upstreamStats);
      if (bodyLength > 0) {
        sending = true;
        // A retry (or a replaced connection): what went up before, again; then what was read meanwhile.
        if (replay != null && replay.isReadable()) {
          upstream.channel().write(replay.retainedDuplicate(), upstream.channel().voidPromise());
        }
        while (unsent != null && !unsent.isEmpty()) {
          sendBody(unsent.poll());
        }
      }
      upstream.channel().flush();
      if (!bodyAllRead()) {
        connection.readBody(upstream.channel().isWritable());
      }
    }

    /** Writes a body piece to this try's connection (not flushed), kept for a retry while the kept ones fit. */
    void sendBody(ByteBuf piece) {
      if (replay != null) {
        if (replay.readableBytes() + piece.readableBytes() <= REPLAY_LIMIT) {
          replay.writeBytes(piece, piece.readerIndex(), piece.readableBytes());
        } else {
          replay.release();
          replay = null;
        }
      }
      Channel up = upstream.channel();
      up.write(piece, up.voidPromise());
      if (!up.isWritable()) {
        // Flow control: the client is read only as fast as the upstream takes the body.
        connection.readBody(false);
      }
    }

    @Override
    public void writable(boolean writable) {
      if (sending && !over && !bodyAllRead()) {
        connection.readBody(writable);
      }
    }

    /** Ends the try's hold on the route's retry budget. */
    private void endRetry() {
      if (holdsRetry) {
        holdsRetry = false;
        route.stats().endRetry();
      }
    }

    @Override
    public void earlyHints(ByteBuf head) {
      if (over || headWritten) {
        head.release();
        return;
      }
      outcome.bytesOut += head.readableBytes();
      connection.channel().write(head, connection.channel().voidPromise());
    }

    @Override
    public boolean response(int status) {
      if (over) {
        return false;
      }
      cancelTimer();
      endRetry();
      if (status == 502 || status == 503 || status == 504) {
        upstreamStats.gatewayErrors++;
        if (retry(false)) {
          over = true;
          upstream.discard();
          lease.release();
          nextTry();
          return false;
        }
      }
      responded = true;
      cancelDeadline();
      outcome.cluster = upstreamStats;
      ByteExchange.this.status = status;
      return true;
    }

    @Override
    public boolean closeAfter() {
      return connection.closeAfterResponse();
    }

    @Override
    public void head(ByteBuf head) {
      headWritten = true;
      write(head);
    }

    @Override
    public void body(ByteBuf piece) {
      write(piece);
    }

    private void write(ByteBuf bytes) {
      Channel down = connection.channel();
      outcome.bytesOut += bytes.readableBytes();
      down.write(bytes, down.voidPromise());
      if (!down.isWritable()) {
        // Flow control: the upstream is read only as fast as the client takes the response. Reading stops before the
        // flush: epoll writes within the call, and the writability it gives back turns reading on again from there.
        upstream.channel().config().setAutoRead(false);
        down.flush();
      }
    }

    @Override
    public void end(boolean reusable) {
      over = true;
      lease.release();
      // Answered before the whole body went up: the connection is mid-request.
      if (reusable && bodyAllRead()) {
        upstream.pool.put(upstream);
      } else {
        upstream.channel().close();
      }
      connection.channel().flush();
      ByteExchange.this.end(status);
    }

    @Override
    public void failed(Throwable cause, boolean sawNothing, boolean reused) {
      if (over) {
        return;
      }
      if (sawNothing && reused && retryable && !replacedStale && !responded && !bodyStarted()) {
        // The pool's connection was closed by the upstream while idle: the request most likely went nowhere, but it
        // may have been read, so only one that may be retried is sent again (RFC 9110 §9.2.2); a client connection's
        // first request that may not went on a new connection (RetryDecision.needsNewConnection).
        replacedStale = true;
        ByteUpstreams.Pool pool = upstream.pool;
        upstream = null;
        sending = false;
        connect(pool);
        return;
      }
      over(cause);
      lease.release();
      if (responded) {
        finishWithError(0, null, false);
      } else if (retry(false)) {
        nextTry();
      } else if (RetryDecision.leftToClient(!firstOnConnection, sawNothing && reused, lastTryTimedOut)) {
        upstreamStats.leftToClientRetry++;
        connection.closeAfterError();
        ByteExchange.this.end(0);
      } else {
        finishWithError(RetryDecision.status(false, lastTryTimedOut), lastTryTimedOut ? "upstream try timeout"
            : "upstream request failed: " + cause.getMessage(), false);
      }
    }

    void connectFailed(Throwable cause) {
      if (over) {
        return;
      }
      over(cause);
      // A name that did not resolve is no connect that failed: the decoding path's client reports it as its request's
      // failure, and the endpoint's lease ends as after one.
      boolean resolved = !(cause instanceof UnknownHostException);
      if (resolved) {
        lease.connectFailed(cause);
      } else {
        lease.release();
      }
      // No server saw anything.
      if (retry(true)) {
        nextTry();
      } else {
        finishWithError(RetryDecision.status(true, lastTryTimedOut), lastTryTimedOut ? "upstream try timeout"
            : "upstream " + (resolved ? "connect" : "request") + " failed: " + cause.getMessage(), false);
      }
    }

    /** The try failed for {@code cause}: over, its timer and retry-budget place let go, the failure counted. */
    private void over(Throwable cause) {
      over = true;
      cancelTimer();
      endRetry();
      upstreamStats.failures++;
      upstreamStats.countFailure(cause);
    }

    void timedOut() {
      timer = -1;
      if (over || responded) {
        return;
      }
      upstreamStats.tryTimeouts++;
      lastTryTimedOut = true;
      if (upstream != null) {
        upstream.discard();
      }
      // A connect still under way is let go too: its outcome is ignored once the try is over.
      failed(new TimeoutException("per-try timeout"), false, false);
    }

    /** Lets go of the upstream side mid-exchange: its connection cannot be reused. */
    void abandon() {
      endRetry();
      if (!over) {
        over = true;
        cancelTimer();
        if (upstream != null) {
          upstream.discard();
        }
        lease.release();
      }
    }

    void cancelTimer() {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
