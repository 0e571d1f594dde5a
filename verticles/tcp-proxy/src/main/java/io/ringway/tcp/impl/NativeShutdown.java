package io.ringway.tcp.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import java.lang.System.Logger.Level;

/**
 * {@code shutdown(fd, SHUT_WR)} on a native (io_uring, epoll) channel's socket, past Netty. Netty's
 * {@code shutdownOutput} builds a {@code ChannelOutputShutdownException} with a full stack trace every time, to fail
 * writes that may still be queued: under TCP connection churn that was 4 % of the event loop's samples, one FIN
 * forwarded per proxied connection. The proxy calls this only once everything it wrote has been flushed, and writes
 * nothing after, so no queued write needs failing; Netty's view of the channel stays "output open", which nothing
 * reads.
 */
final class NativeShutdown {

  private static final System.Logger LOG = System.getLogger(NativeShutdown.class.getName());
  private static final int SHUT_WR = 1;
  private static final boolean AVAILABLE = register();

  private NativeShutdown() {
  }

  private static boolean register() {
    try {
      Native.register(NativeShutdown.class, "c");
      return true;
    } catch (Throwable e) { // UnsatisfiedLinkError, or JNA's own native part missing on this platform
      LOG.log(Level.INFO, "tcp-proxy: no direct shutdown(2) (" + e + "); FINs go through Netty");
      return false;
    }
  }

  private static native int shutdown(int fd, int how) throws LastErrorException;

  /**
   * Sends FIN on {@code channel}'s socket; false when it could not (not a native channel, or the kernel refused,
   * e.g. ENOTCONN after a reset), and the caller goes Netty's way, which reports the failure as it should.
   * Call on the channel's loop, with the channel open.
   */
  static boolean shutdownOutput(Channel channel) {
    if (!AVAILABLE || !(channel instanceof UnixChannel unix)) {
      return false;
    }
    try {
      shutdown(unix.fd().intValue(), SHUT_WR);
      return true;
    } catch (LastErrorException refused) {
      return false;
    }
  }
}
