package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.internal.ContextInternal;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One request of the byte-level path, from pick to the response's last byte: the same policy as {@link ProxyExchange}
 * (tries on endpoints not tried yet, a failover retry outside the budget when no server saw the request, a budgeted
 * retry on 502/503/504 or a reset, per-try and route timeouts, 503/502/504 of its own), for a bodyless GET or HEAD.
 * The upstream head was built once and each try sends it again. A pooled connection that turns out closed before a
 * byte of response (the upstream timed it out while it was idle) is replaced by a new one to the same endpoint, once,
 * and that is no try. Loop thread only.
 */
final class ByteExchange extends RequestDeadlines.Entry {

  private static final byte[] TEXT_PLAIN = ("content-type: text/plain; charset=utf-8\r\nvia: " + ProxyHeaders.VIA
      + "\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OVERLOADED = (ProxyHeaders.OVERLOADED + ": true\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

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
  /** Endpoints tried so far, in order; a list of its own only once there is more than one (a retry). */
  private List<Endpoint> tried = List.of();
  /** The upstream head went to a connection once: a later try sends a slice of it, read from its start again. */
  private boolean headSent;
  private Try current;
  private boolean finished;
  private boolean headWritten;
  private boolean lastTryTimedOut;
  private boolean retryPermit;
  private int status;

  ByteExchange(ByteConnection connection, ContextInternal context, ByteUpstreams upstreams, Route route, UpstreamCluster cluster,
               UpstreamStats upstreamStats, Outcome outcome, ByteBuf upstreamHead, boolean headRequest) {
    this.connection = connection;
    this.context = context;
    this.upstreams = upstreams;
    this.route = route;
    this.policy = route.policy();
    this.cluster = cluster;
    this.upstreamStats = upstreamStats;
    this.outcome = outcome;
    this.upstreamHead = upstreamHead;
    this.headRequest = headRequest;
  }

  void start() {
    route.deadlines(context).add(this);
    nextTry();
  }

  private void nextTry() {
    switch (cluster.pick(null, tried)) {
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
    if (pool == null) {
      // The endpoint set changed to a name since routing: this path cannot reach it without a resolver call.
      attempt.connectFailed(new ConnectException("endpoint " + lease.endpoint().host() + " is no IP address"));
      return;
    }
    ByteUpstream pooled = pool.take();
    if (pooled != null) {
      attempt.sendOn(pooled);
    } else {
      attempt.connect(pool);
    }
  }

  /** Whether another try follows a failed one ({@link RetryDecision}: GET and HEAD are retryable, bodiless). */
  private boolean retry(boolean unprocessed) {
    RetryDecision.Next next = RetryDecision.after(unprocessed, !finished, true, tried.size(), route);
    retryPermit = next == RetryDecision.Next.RETRY;
    return next != RetryDecision.Next.NONE;
  }

  @Override
  void expired() {
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
      // The response is under way: only closing tells the client it is incomplete.
      end(0);
      connection.channel().close();
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
    if (retryPermit) {
      retryPermit = false;
      route.stats().endRetry();
    }
    upstreamHead.release();
    outcome.finish(status);
    connection.exchangeDone();
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
        // Flow control: the upstream is read only as fast as the client takes the response.
        down.flush();
        upstream.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void end(boolean reusable) {
      over = true;
      lease.release();
      if (reusable) {
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
      if (sawNothing && reused && !replacedStale && !responded) {
        // The pool's connection was closed by the upstream while idle: the request went nowhere.
        replacedStale = true;
        ByteUpstreams.Pool pool = upstream.pool;
        upstream = null;
        connect(pool);
        return;
      }
      over(cause);
      lease.release();
      if (responded) {
        finishWithError(0, null, false);
      } else if (retry(false)) {
        nextTry();
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
      lease.connectFailed(cause);
      // No server saw anything.
      if (retry(true)) {
        nextTry();
      } else {
        finishWithError(RetryDecision.status(true, lastTryTimedOut), lastTryTimedOut ? "upstream try timeout"
            : "upstream connect failed: " + cause.getMessage(), false);
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
