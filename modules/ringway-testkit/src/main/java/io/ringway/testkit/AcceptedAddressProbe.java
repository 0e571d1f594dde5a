package io.ringway.testkit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ringway.spi.TransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The address objects of connections a server on a transport accepted, as its channels hold them: which of them are
 * one object.
 */
public final class AcceptedAddressProbe {

  /** One accepted connection: its channel's local and remote address. */
  public record Accepted(InetSocketAddress local, InetSocketAddress remote) {
  }

  /**
   * Connections accepted in order, each found by its client's port as the client saw it (so each kept its own port):
   * every one holds the first one's local address object and its client's {@code InetAddress} object.
   */
  public record Result(List<Accepted> connections) {

    public void assertShared() {
      Accepted first = connections.getFirst();
      assertAll(connections.stream().flatMap(accepted -> Stream.of(
          () -> assertSame(first.local(), accepted.local(), "local address of the connection from port "
              + accepted.remote().getPort() + " (first connection's: " + first.local() + ")"),
          () -> assertSame(first.remote().getAddress(), accepted.remote().getAddress(), "client address object of the "
              + "connection from port " + accepted.remote().getPort()))));
    }
  }

  private AcceptedAddressProbe() {
  }

  /**
   * Accepts {@code count} loopback connections, one after the other, on a fresh Vert.x over {@code plugin}'s
   * transport; blocks the calling (test) thread. In accept order.
   */
  public static Result accepted(TransportPlugin plugin, int count) throws Exception {
    Vertx vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    try {
      Map<Integer, Accepted> byRemotePort = new ConcurrentHashMap<>();
      CountDownLatch seen = new CountDownLatch(count);
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        var channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        byRemotePort.put(remote.getPort(), new Accepted((InetSocketAddress) channel.localAddress(), remote));
        seen.countDown();
      });
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      NetClient client = vertx.createNetClient();
      List<Integer> clientPorts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        NetSocket socket = client.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
        clientPorts.add(socket.localAddress().port());
      }
      if (!seen.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the server accepted " + (count - seen.getCount()) + " of " + count
            + " connections in 10 s");
      }
      List<Accepted> accepted = new ArrayList<>();
      for (int port : clientPorts) {
        Accepted connection = byRemotePort.get(port);
        if (connection == null) {
          throw new AssertionError("no accepted connection has remote port " + port + ", the port of a client's "
              + "connection; accepted: " + byRemotePort.keySet());
        }
        accepted.add(connection);
      }
      return new Result(List.copyOf(accepted));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
