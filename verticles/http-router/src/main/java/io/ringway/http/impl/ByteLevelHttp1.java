package io.ringway.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HeaderRewrite;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.MultiMap;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The byte-level HTTP/1 path of one cleartext listener on one loop ({@code byteLevelHttp1}, issue 17): requests are
 * checked, routed and forwarded from the bytes received, without decoding them into objects, and responses relayed
 * the same way ({@link ByteUpstream}). It takes only what it answers exactly as the decoding path would (see
 * {@link ByteRequestHead}) and only for a route of the same {@link RouteTable} that forwards with no filter, to a
 * cleartext HTTP/1.1 cluster, with tracing off. Everything else goes to the decoding
 * path before a byte is sent anywhere, with the bytes as they came: a connection's first request from its unread gate,
 * a later one from its {@link ByteConnection}. Loop thread only.
 */
final class ByteLevelHttp1 {

  /** What the path uses of its router instance. */
  interface Routing {

    /** The router instance's context, where the path's timers fire. */
    ContextInternal context();

    /** The route table in force. */
    RouteTable table();

    /** A cluster by name, or null. */
    UpstreamCluster cluster(String name);

    UpstreamStats upstreamStats(String cluster);

    ByteUpstreams upstreams();

    /** Whether requests are traced ({@code http.tracing}): then they take the decoding path, which traces. */
    boolean tracing();

    /** {@code http.clientCertHeader}, lower case. */
    String clientCertHeader();

    /** Whether an access log is on: then each request keeps what its line says. */
    boolean accessLog();

    /** Where an outcome goes when it finished: the access log. */
    void finished(Outcome outcome);

    RandomGenerator random();
  }

  private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HOST = "host: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FORWARDED_FOR = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FORWARDED_PROTO = "x-forwarded-proto: http\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FORWARDED_HOST = "x-forwarded-host: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] REQUEST_ID = "x-request-id: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VIA = "via: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] VIA_HOP = (ProxyHeaders.VIA + "\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final MultiMap NO_FIELDS = MultiMap.caseInsensitiveMultiMap();
  /** A body up to this size that came with its head is sent in the head's buffer. */
  private static final int INLINE_BODY = 16 * 1024;

  private final HttpListenerConfig config;
  private final ListenerStats stats;
  private final Routing routing;
  private final ByteRequestHead head;
  private final AsciiBytes.Snapshot snapshot = new AsciiBytes.Snapshot();
  /** Where outcomes go (made once: a method reference per request would be an object per request). */
  private final io.vertx.core.Handler<Outcome> finished;
  /** Connections between two requests, closed at the listener's idle timeout; null for none. */
  private final RequestDeadlines idle;
  /** Connections with part of a head, answered 408 at the listener's head timeout. */
  private final RequestDeadlines headTimeout;
  /** The connections on this path, linked through themselves (a set's entry per connection was 40 B of each). */
  private ByteConnection firstConnection;
  private int connectionCount;
  /**
   * Gives a connection to the decoding path: the server's hand-over its gate passed, one per server (kept here, not
   * in each connection, as {@link KeepAliveParking} takes its listener's).
   */
  private Consumer<Channel> handOver;
  /** The listener drains: every connection closes after its response in flight. */
  private boolean draining;

  ByteLevelHttp1(HttpListenerConfig config, ListenerStats stats, Routing routing) {
    this.config = config;
    this.stats = stats;
    this.routing = routing;
    this.finished = routing::finished;
    this.head = new ByteRequestHead(config.mergeSlashes());
    // Whole seconds, as the decoding path applies it.
    long idleSeconds = config.idleTimeout().toSeconds();
    this.idle = idleSeconds > 0 ? new RequestDeadlines(routing.context(), TimeUnit.SECONDS.toMillis(idleSeconds)) : null;
    this.headTimeout = new RequestDeadlines(routing.context(), config.headerReadTimeout().toMillis());
  }

  ListenerStats stats() {
    return stats;
  }

  RequestDeadlines idle() {
    return idle;
  }

  RequestDeadlines headTimeout() {
    return headTimeout;
  }

  Consumer<Channel> handOver() {
    return handOver;
  }

  boolean draining() {
    return draining;
  }

  /**
   * Whether a connection's first bytes may be a request of this path's (a cheap look: GET, HEAD, POST or PUT; not the
   * HTTP/2 preface "PRI").
   */
  static boolean mayTake(ByteBuf bytes) {
    if (!bytes.isReadable()) {
      return false;
    }
    int at = bytes.readerIndex();
    byte first = bytes.getByte(at);
    return first == 'G' || first == 'H' || first == 'P' && (bytes.readableBytes() < 2 || bytes.getByte(at + 1) != 'R');
  }

  /**
   * A connection's gate read its first bytes (of its first request, or of its next one after it parked): it becomes
   * this path's, and its bytes are read as a request.
   */
  void takeFromGate(Channel channel, ByteBuf bytes, Consumer<Channel> handOver) {
    // A connection the decoding path never saw is counted here, as that path counts its own; its close is counted by
    // its ByteConnection, or after a hand-over by a listener then (no attribute and no listener while it stays here).
    boolean counted = !KeepAliveParking.wasParked(channel);
    if (counted) {
      stats.connections++;
      stats.openConnections++;
    }
    this.handOver = handOver;
    ByteConnection connection = new ByteConnection(this, counted);
    link(connection);
    channel.pipeline().addLast(ByteConnection.NAME, connection);
    connection.start(bytes);
  }

  /**
   * Reads the request at {@code held}'s reader index: {@link ByteRequestHead#TAKE} when its exchange started (the head
   * consumed), {@link ByteRequestHead#INCOMPLETE} or {@link ByteRequestHead#HAND_OVER}.
   */
  int take(ByteConnection connection, ByteBuf held) {
    ByteRequestHead h = head;
    int verdict = h.read(held, config.maxHeaderBytes(), routing.clientCertHeader());
    if (verdict != ByteRequestHead.TAKE) {
      return verdict;
    }
    RouteTable table = routing.table();
    if (routing.tracing()) {
      return ByteRequestHead.HAND_OVER;
    }
    AsciiBytes.Snapshot copy = snapshot;
    copy.take(held, h.start, h.end);
    String path = h.path(copy);
    Route route = table.match(RouteRequest.ofTarget(h.method(),
        table.matchesOnHosts() ? h.routingHost(copy) : "", path,
        table.matchesOnHeaders() ? h.headers(held) : NO_FIELDS,
        h.queryMark < 0 ? path : copy.string(h.targetStart, h.targetEnd)));
    if (route == null || !(route.action() instanceof ForwardAction forward) || !route.filters().isEmpty()
        || AsciiBytes.rewrites("host", route.policy().requestHeaders().remove(), route.policy().requestHeaders().set())) {
      return ByteRequestHead.HAND_OVER;
    }
    if (config.maxBodyBytes() > 0 && h.contentLength > config.maxBodyBytes()) {
      // Answered 413 by the decoding path, which counts it.
      return ByteRequestHead.HAND_OVER;
    }
    String clusterName = route.pickCluster(routing.random());
    UpstreamCluster cluster = routing.cluster(clusterName);
    if (cluster == null || !reachable(cluster)) {
      return ByteRequestHead.HAND_OVER;
    }
    stats.requests++;
    stats.byteLevelRequests++;
    route.stats().requests++;
    boolean log = routing.accessLog();
    long body = Math.max(h.contentLength, 0);
    Outcome outcome = Outcome.forBytes(log ? facts(connection, path, body) : null, route, finished);
    // A small body already read goes up in the head's buffer: one write, and each try sends it again as it sends the
    // head, so nothing is kept apart for a retry.
    int inline = body > 0 && body <= INLINE_BODY && held.writerIndex() - h.end >= body ? (int) body : 0;
    ByteBuf upstreamHead = upstreamHead(connection, held, route, forward, path, outcome, log, inline);
    if (inline > 0) {
      upstreamHead.writeBytes(held, h.end, inline);
      body = 0;
    }
    held.readerIndex(h.end + inline);
    ByteExchange exchange = new ByteExchange(connection, routing.context(), routing.upstreams(), route, cluster,
        routing.upstreamStats(clusterName), outcome, upstreamHead, h.method, body, connection.takeRequest());
    connection.started(exchange, h.closeAfter, body);
    exchange.start();
    return ByteRequestHead.TAKE;
  }

  private static boolean reachable(UpstreamCluster cluster) {
    ClusterConfig config = cluster.config();
    return config.tls() == null && config.protocol() == UpstreamProtocol.HTTP1;
  }

  private Outcome.ByteRequestFacts facts(ByteConnection connection, String path, long body) {
    ByteRequestHead h = head;
    AsciiBytes.Snapshot copy = snapshot;
    return new Outcome.ByteRequestFacts(connection.client(),
        h.method(), copy.string(h.targetStart, h.targetEnd), path, copy.string(h.hostStart, h.hostEnd),
        h.userAgentStart < 0 ? null : copy.string(h.userAgentStart, h.userAgentEnd), body);
  }

  /**
   * The head every try sends, as {@link ProxyHeaders#upstreamRequest} makes it on the decoding path: the client's
   * fields minus hop-by-hop ones, {@code Host} (or the route's host rewrite), x-forwarded-for/-proto/-host, an
   * x-request-id when the client sent none, {@code via}, then the route's rewrite.
   */
  private ByteBuf upstreamHead(ByteConnection connection, ByteBuf b, Route route, ForwardAction forward, String path,
                               Outcome outcome, boolean log, int bodyAfter) {
    ByteRequestHead h = head;
    // Taken by take(), before routing.
    AsciiBytes.Snapshot copy = snapshot;
    HeaderRewrite rewrite = route.policy().requestHeaders();
    List<String> remove = rewrite.remove();
    java.util.Map<String, String> set = rewrite.set();
    ByteBuf out = connection.channel().alloc().directBuffer(h.end - h.start + 256 + bodyAfter);
    copy.copy(out, h.start, h.targetStart);
    PathMatch match = route.config().match().path();
    String prefix = forward.prefixRewrite();
    if (prefix != null && match != null && match.kind() == PathMatch.Kind.PREFIX && path.startsWith(match.value())) {
      String rewritten = prefix + path.substring(match.value().length());
      out.writeCharSequence(rewritten.isEmpty() ? "/" : rewritten, StandardCharsets.ISO_8859_1);
      if (h.queryMark >= 0) {
        copy.copy(out, h.queryMark, h.targetEnd);
      }
    } else {
      copy.copy(out, h.targetStart, h.targetEnd);
    }
    out.writeBytes(VERSION).writeBytes(HOST);
    if (forward.hostRewrite() != null) {
      out.writeCharSequence(forward.hostRewrite(), StandardCharsets.ISO_8859_1);
    } else {
      copy.copy(out, h.hostStart, h.hostEnd);
    }
    out.writeBytes(AsciiBytes.CRLF);
    for (int line = 0; line < h.lines; line++) {
      int from = h.lineStart[line];
      if (h.kind[line] == ByteRequestHead.COPY
          && (remove.isEmpty() && set.isEmpty() || !AsciiBytes.rewritten(b, from, h.lineColon[line] - from, remove, set))) {
        copy.copy(out, from, h.lineEnd[line]);
      }
    }
    if (!AsciiBytes.rewrites("x-forwarded-for", remove, set)) {
      out.writeBytes(FORWARDED_FOR);
      if (h.forwardedForStart >= 0) {
        copy.copy(out, h.forwardedForStart, h.forwardedForEnd);
        out.writeByte(',').writeByte(' ');
      }
      connection.writeClient(out);
      out.writeBytes(AsciiBytes.CRLF);
    }
    if (!AsciiBytes.rewrites("x-forwarded-proto", remove, set)) {
      out.writeBytes(FORWARDED_PROTO);
    }
    if (!AsciiBytes.rewrites("x-forwarded-host", remove, set)) {
      out.writeBytes(FORWARDED_HOST);
      copy.copy(out, h.hostStart, h.hostEnd);
      out.writeBytes(AsciiBytes.CRLF);
    }
    requestId(out, rewrite, outcome, log);
    if (!AsciiBytes.rewrites("via", remove, set)) {
      out.writeBytes(VIA);
      if (h.viaStart >= 0) {
        copy.copy(out, h.viaStart, h.viaEnd);
        out.writeByte(',').writeByte(' ');
      }
      out.writeBytes(VIA_HOP);
    }
    AsciiBytes.fields(out, set);
    return out.writeBytes(AsciiBytes.CRLF);
  }

  /**
   * The x-request-id as {@link ProxyHeaders#requestId} decides it: the rewrite's, else the client's (its line copied),
   * else a new one, written without a String unless the access log needs it.
   */
  private void requestId(ByteBuf out, HeaderRewrite rewrite, Outcome outcome, boolean log) {
    ByteRequestHead h = head;
    if (AsciiBytes.rewrites(ProxyHeaders.REQUEST_ID, rewrite.remove(), rewrite.set())) {
      requestIdRewritten(rewrite, outcome);
      return;
    }
    if (h.requestIdStart >= 0) {
      outcome.requestId = log ? snapshot.string(h.requestIdStart, h.requestIdEnd) : null;
      return;
    }
    out.writeBytes(REQUEST_ID);
    if (log) {
      String id = ProxyHeaders.requestId();
      outcome.requestId = id;
      out.writeCharSequence(id, StandardCharsets.US_ASCII);
    } else {
      ProxyHeaders.requestId(out);
    }
    out.writeBytes(AsciiBytes.CRLF);
  }

  /** The x-request-id a rewrite sets or removes. */
  private static void requestIdRewritten(HeaderRewrite rewrite, Outcome outcome) {
    for (var entry : rewrite.set().entrySet()) {
      if (entry.getKey().equalsIgnoreCase(ProxyHeaders.REQUEST_ID)) {
        outcome.requestId = entry.getValue();
        return;
      }
    }
    // Removed.
    outcome.requestId = null;
  }

  /**
   * A connection went to the decoding path, before that path sees it. If this path counted it, the decoding path must
   * not count it again (it takes it for a parked one that woke), and its close is counted from now on at the close.
   */
  void handedOver(ByteConnection connection, boolean counted) {
    stats.byteLevelHandOvers++;
    if (counted) {
      Channel channel = connection.channel();
      KeepAliveParking.countedOnce(channel);
      channel.closeFuture().addListener(stats.openConnectionClosed);
    }
    unlink(connection);
  }

  /** A connection closed while on this path. */
  void closed(ByteConnection connection, boolean counted) {
    if (counted) {
      stats.openConnections--;
    }
    unlink(connection);
  }

  private void link(ByteConnection connection) {
    connection.nextOnPath = firstConnection;
    if (firstConnection != null) {
      firstConnection.previousOnPath = connection;
    }
    firstConnection = connection;
    connectionCount++;
    stats.byteLevelConnections++;
  }

  private void unlink(ByteConnection connection) {
    if (connection.previousOnPath == null && firstConnection != connection) {
      return;
    }
    if (connection.previousOnPath == null) {
      firstConnection = connection.nextOnPath;
    } else {
      connection.previousOnPath.nextOnPath = connection.nextOnPath;
    }
    if (connection.nextOnPath != null) {
      connection.nextOnPath.previousOnPath = connection.previousOnPath;
    }
    connection.previousOnPath = null;
    connection.nextOnPath = null;
    connectionCount--;
    stats.byteLevelConnections--;
  }

  /** Connections on this path now. */
  int connections() {
    return connectionCount;
  }

  /** The listener drains: each connection closes after its response in flight, or after a spread delay if idle. */
  void drain(ListenerDrain drain) {
    draining = true;
    for (ByteConnection connection : connectionsNow()) {
      connection.drain(drain.spreadDelayMillis(), stats);
    }
  }

  void closeAll() {
    for (ByteConnection connection : connectionsNow()) {
      connection.channel().close();
    }
  }

  /** A copy: closing a connection takes it out of the list. */
  private List<ByteConnection> connectionsNow() {
    List<ByteConnection> now = new ArrayList<>(connectionCount);
    for (ByteConnection connection = firstConnection; connection != null; connection = connection.nextOnPath) {
      now.add(connection);
    }
    return now;
  }

  /** {@code http.clientCertHeader} as the head reader compares it. */
  static String lowerCase(String header) {
    return header.toLowerCase(Locale.ROOT);
  }
}
