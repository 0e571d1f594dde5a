package io.ringway.tcp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.internal.net.NetSocketInternal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** What the proxy does to a socket that Vert.x has no API for. Every method runs on the socket's loop. */
final class SocketOps {

  private SocketOps() {
  }

  /**
   * Writes a buffer read from the other side without copying it, and runs {@code written} once the write ended
   * either way. Vert.x disposes writes still queued when the socket closes without releasing them (Netty
   * releases the ones it was handed), so those are released here or the pooled buffer would leak.
   */
  static void forward(NetSocketInternal to, ByteBuf bytes, Runnable written) {
    to.writeMessage(bytes).onComplete(done -> {
      if (done.failed() && done.cause() == NetSocketInternal.CLOSED_EXCEPTION) {
        bytes.release();
      }
      written.run();
    });
  }

  /** Sends FIN once everything written before has reached the kernel; reading stays open. */
  static void shutdownOutput(NetSocketInternal socket, Runnable done) {
    Channel channel = socket.channelHandlerContext().channel();
    socket.writeMessage(Unpooled.EMPTY_BUFFER).onComplete(flushed -> {
      // Past Netty where the channel is native; Netty's way only when that could not be done.
      if (flushed.succeeded() && channel.isActive() && !NativeShutdown.shutdownOutput(channel)
          && channel instanceof DuplexChannel duplex) {
        duplex.shutdownOutput().addListener(shut -> done.run());
      } else {
        done.run();
      }
    });
  }

  /**
   * After our FIN went out on {@code socket}: its peer's FIN now ends the connection, so Netty may close the
   * channel on it instead of shutting the input down. With half-closure on, Netty calls
   * {@code shutdown(SHUT_RD)} on that EOF, which fails with ENOTCONN once the kernel saw FINs both ways
   * (the socket left for TIME_WAIT or LAST_ACK), and builds an exception with a stack trace for it: a syscall
   * and an exception per proxied connection under churn.
   */
  static void closeOnEndOfInput(NetSocketInternal socket) {
    socket.channelHandlerContext().channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
  }

  /**
   * Closes at once: the kernel sends what it holds, then FIN; what Vert.x still queues is dropped.
   * Starts from Vert.x's own handler toward the head, as Vert.x does after flushing: a plain
   * {@code channel.close()} would pass through that handler, which first waits for the queue to
   * flush, and a peer that never reads would hold the socket open for ever.
   */
  static void closeNow(NetSocketInternal socket) {
    socket.channelHandlerContext().close();
  }

  /** Closes with RST instead of FIN (SO_LINGER 0), dropping anything not yet sent. */
  static void reset(NetSocketInternal socket) {
    Channel channel = socket.channelHandlerContext().channel();
    if (channel.isOpen()) {
      try {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
      } catch (RuntimeException cannotSetLinger) {
        // the channel closed under us: a plain close is all that is left to do
      }
      closeNow(socket);
    }
  }

  /** Whether the peer reset the connection, as opposed to some other I/O failure. */
  static boolean isReset(Throwable cause) {
    if (!(cause instanceof IOException)) {
      return false;
    }
    String message = String.valueOf(cause.getMessage());
    // ECONNRESET as NIO ("Connection reset") and the native transports ("... Connection reset by
    // peer") word it; EPIPE is how a write learns of the same reset.
    return message.contains("Connection reset") || message.contains("Broken pipe");
  }

  static InetSocketAddress remote(NetSocketInternal socket) {
    return inet(socket.channelHandlerContext().channel().remoteAddress());
  }

  static InetSocketAddress local(NetSocketInternal socket) {
    return inet(socket.channelHandlerContext().channel().localAddress());
  }

  private static InetSocketAddress inet(SocketAddress address) {
    return address instanceof InetSocketAddress inet ? inet : null;
  }
}
