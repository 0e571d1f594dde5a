package io.ringway.testkit;

import io.ringway.spi.TransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The local address objects of connections a server on a transport accepted: which of them are one object. */
public final class LocalAddressProbe {

  private LocalAddressProbe() {
  }

  /**
   * Accepts {@code count} loopback connections, one after the other, on a fresh Vert.x over {@code plugin}'s
   * transport; blocks the calling (test) thread.
   */
  public static List<SocketAddress> accepted(TransportPlugin plugin, int count) throws Exception {
    Vertx vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    try {
      List<SocketAddress> addresses = new CopyOnWriteArrayList<>();
      CountDownLatch seen = new CountDownLatch(count);
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        addresses.add(((NetSocketInternal) socket).channelHandlerContext().channel().localAddress());
        seen.countDown();
      });
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      NetClient client = vertx.createNetClient();
      for (int i = 0; i < count; i++) {
        client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
      }
      seen.await(10, TimeUnit.SECONDS);
      return List.copyOf(addresses);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
