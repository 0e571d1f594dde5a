package io.ringway.tun.e2e;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A passive tap on incoming UDP: an {@code AF_INET/SOCK_RAW/IPPROTO_UDP} socket gets a copy of
 * every IPv4 UDP datagram the namespace receives, IP header included, without disturbing delivery.
 * How the end-to-end test gets a genuine tunnel packet to replay.
 */
final class RawCapture implements AutoCloseable {

  private static final int AF_INET = 2;
  private static final int SOCK_RAW = 3;
  private static final int IPPROTO_UDP = 17;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;

  static {
    Native.register("c");
  }

  private static native int socket(int domain, int type, int protocol) throws LastErrorException;

  private static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

  private static native long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

  private static native int close(int fd) throws LastErrorException;

  private final int fd;

  RawCapture() {
    fd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
    // struct timeval { long tv_sec; long tv_usec; }: recv returns EAGAIN after 1 s of silence.
    byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(1).putLong(0).array();
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length);
  }

  /**
   * The UDP payload of the next datagram to {@code port} whose first byte is {@code type} and that
   * is longer than {@code minLength}, or null after {@code timeoutMillis}.
   */
  byte[] next(int port, byte type, int minLength, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    byte[] buffer = new byte[65536];
    while (System.currentTimeMillis() < deadline) {
      long length;
      try {
        length = recv(fd, buffer, buffer.length, 0);
      } catch (LastErrorException timedOut) {
        continue;
      }
      int ipHeader = (buffer[0] & 0x0f) * 4;
      int destinationPort = ((buffer[ipHeader + 2] & 0xff) << 8) | (buffer[ipHeader + 3] & 0xff);
      int payload = ipHeader + 8;
      if (destinationPort == port && length > payload + minLength && buffer[payload] == type) {
        return Arrays.copyOfRange(buffer, payload, (int) length);
      }
    }
    return null;
  }

  @Override
  public void close() {
    close(fd);
  }
}
