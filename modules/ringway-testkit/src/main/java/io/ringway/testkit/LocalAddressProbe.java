package io.ringway.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The local address objects of connections a server on a given Vert.x accepted: which of them are one object. */
public final class LocalAddressProbe {

  private LocalAddressProbe() {
  }

  /** Accepts {@code count} loopback connections, one after the other; blocks the calling (test) thread. */
  public static List<SocketAddress> accepted(Vertx vertx, int count) throws Exception {
    List<SocketAddress> addresses = new CopyOnWriteArrayList<>();
    NetServer server = vertx.createNetServer().connectHandler(socket ->
        addresses.add(((NetSocketInternal) socket).channelHandlerContext().channel().localAddress()));
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    NetClient client = vertx.createNetClient();
    try {
      for (int i = 0; i < count; i++) {
        client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (addresses.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      return List.copyOf(addresses);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      server.close().await(10, TimeUnit.SECONDS);
    }
  }
}
