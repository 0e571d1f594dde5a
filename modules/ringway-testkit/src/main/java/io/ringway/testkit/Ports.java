package io.ringway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Free loopback ports for test servers. */
public final class Ports {

  /**
   * Every port handed out in this JVM. The kernel may give the same free port to two binds in a row, so a test
   * that asks twice (an HTTP and a TCP port for one config) could get one port twice: AotCacheIT failed in CI so.
   */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {
  }

  /** A TCP port free on 127.0.0.1 at the time of the call, and not handed out before by this JVM. */
  public static int freeTcpPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free loopback port", e);
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no loopback port this JVM has not handed out already, in 100 tries");
  }
}
