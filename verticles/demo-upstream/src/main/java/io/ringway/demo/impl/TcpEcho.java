package io.ringway.demo.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;

/**
 * Raw TCP echo: every byte goes back on the same connection, reading pauses while the peer is slow
 * to take the echo, and after the peer's FIN the rest is echoed before the connection closes.
 */
public final class TcpEcho implements Handler<NetSocket> {

  private static final System.Logger LOG = System.getLogger(TcpEcho.class.getName());

  @Override
  public void handle(NetSocket socket) {
    NetSocketInternal connection = (NetSocketInternal) socket;
    EndOfInputRelay.install(connection.channelHandlerContext());
    connection.drainHandler(ignored -> connection.resume());
    // Resets and broken pipes are how echo clients often leave; Vert.x closes the socket after this.
    connection.exceptionHandler(cause -> LOG.log(Level.DEBUG, "demo-upstream: TCP echo connection failed", cause));
    // The message handler sees raw messages, in order, including the end-of-input marker that the
    // plain data handler would drop.
    connection.messageHandler(message -> {
      if (message instanceof ByteBuf bytes) {
        // A heap copy, as Vert.x's own data handler makes: a write still queued when the peer
        // resets is dropped without release, which would leak a pooled buffer.
        connection.write(BufferInternal.safeBuffer(bytes));
        if (connection.writeQueueFull()) {
          connection.pause();
        }
      } else if (message == EndOfInputRelay.END_OF_INPUT) {
        // close() writes behind the queued echo and closes once it is flushed; the receive buffer
        // is empty after EOF, so the kernel sends FIN rather than RST.
        connection.close();
      } else {
        ReferenceCountUtil.release(message);
      }
    });
  }
}
