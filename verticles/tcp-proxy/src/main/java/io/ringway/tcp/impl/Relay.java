package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.net.NetSocketInternal;

/**
 * One direction of a proxied connection: bytes read from one socket are written to the other
 * without a copy, reading pauses while the writer's queue is full and resumes when it drains (so
 * a slow reader holds at most one write queue of the proxy's memory), and the reader's FIN
 * becomes the writer's FIN once everything before it is sent.
 */
final class Relay {

  private final ProxyConnection connection;
  private final NetSocketInternal from;
  private final NetSocketInternal to;
  private final boolean upstreamBound;
  private boolean ended;
  private boolean sourceClosed;

  /** @param upstreamBound whether bytes go client to upstream (counted as in) or back (out) */
  Relay(ProxyConnection connection, NetSocketInternal from, NetSocketInternal to, boolean upstreamBound) {
    this.connection = connection;
    this.from = from;
    this.to = to;
    this.upstreamBound = upstreamBound;
  }

  /** Whether the reading side's FIN arrived, so the writing side's output is (being) shut down. */
  boolean ended() {
    return ended;
  }

  /** Takes over the reading side's messages and the writing side's drain. */
  void start() {
    to.drainHandler(drained -> from.resume());
    from.messageHandler(this::onMessage);
  }

  /** Writes bytes read before this relay started (what followed a PROXY header). */
  void forwardEarly(ByteBuf bytes) {
    connection.onBytes(upstreamBound, bytes.readableBytes());
    SocketOps.forward(to, bytes);
  }

  /**
   * The reading side closed: hands on at once what Vert.x still holds from it (bytes and FIN read
   * while paused). Nothing more can be read, so the bound on memory holds without pausing.
   */
  void drainClosedSource() {
    sourceClosed = true;
    from.resume();
  }

  void onMessage(Object message) {
    if (message instanceof ByteBuf bytes) {
      if (ended || connection.isAborted()) {
        // Read before a reset or refusal (Vert.x hands over what it had queued): dropped.
        bytes.release();
        return;
      }
      connection.onBytes(upstreamBound, bytes.readableBytes());
      SocketOps.forward(to, bytes);
      if (to.writeQueueFull() && !sourceClosed) {
        from.pause();
      }
    } else if (message == HalfCloseRelay.END_OF_INPUT) {
      // Not after a reset: io_uring closes a channel only once its in-flight operations finish, and
      // a FIN sent meanwhile would reach the peer ahead of the reset.
      if (!ended && !connection.isAborted()) {
        ended = true;
        SocketOps.shutdownOutput(to, connection::onFinForwarded);
      }
    } else {
      ReferenceCountUtil.release(message);
    }
  }
}
