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
  /** Whether this relay paused its source, so Vert.x may hold bytes read from it. */
  private boolean sourcePaused;
  /** Writes handed to the writing side and not yet ended: bytes Vert.x or Netty still hold. */
  private int writesInFlight;
  private final Runnable writeEnded = () -> writesInFlight--;

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
    to.drainHandler(drained -> {
      sourcePaused = false;
      from.resume();
    });
    from.messageHandler(this::onMessage);
  }

  /** Writes bytes read before this relay started (what followed a PROXY header). */
  void forwardEarly(ByteBuf bytes) {
    connection.onBytes(upstreamBound, bytes.readableBytes());
    send(bytes);
  }

  /** Writes bytes of the proxy's own (a PROXY header) ahead of what it relays. */
  void send(ByteBuf bytes) {
    writesInFlight++;
    SocketOps.forward(to, bytes, writeEnded);
  }

  /**
   * Whether nothing read from the source waits anywhere: none held by Vert.x for a paused source, none being
   * written. Then the writing side can be closed at once without losing a byte.
   */
  boolean holdsNothing() {
    return !sourcePaused && writesInFlight == 0;
  }

  /**
   * The reading side closed: hands on at once what Vert.x still holds from it (bytes and FIN read
   * while paused). Nothing more can be read, so the bound on memory holds without pausing.
   */
  void drainClosedSource() {
    sourceClosed = true;
    sourcePaused = false;
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
      send(bytes);
      if (to.writeQueueFull() && !sourceClosed) {
        sourcePaused = true;
        from.pause();
      }
    } else if (message == HalfCloseRelay.END_OF_INPUT) {
      // Not after a reset: io_uring closes a channel only once its in-flight operations finish, and
      // a FIN sent meanwhile would reach the peer ahead of the reset.
      if (!ended && !connection.isAborted()) {
        ended = true;
        SocketOps.shutdownOutput(to, () -> {
          SocketOps.closeOnEndOfInput(to);
          connection.onFinForwarded();
        });
      }
    } else {
      ReferenceCountUtil.release(message);
    }
  }
}
