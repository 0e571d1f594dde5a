package io.ringway.testkit;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live TCP echo over loopback on a given Vert.x, reporting the Netty channel that served it: the
 * proof of which transport really carried the bytes.
 */
public final class EchoProbe {

  /**
   * What one echo round trip saw.
   *
   * @param echoed the bytes that came back
   * @param serverChannel the server side's Netty channel class
   * @param serverThread the thread the server handled the connection on
   */
  public record Result(String echoed, Class<? extends Channel> serverChannel, String serverThread) {
  }

  private EchoProbe() {
  }

  /** Echoes {@code payload} through a server and client made on {@code vertx}; blocks the calling (test) thread. */
  public static Result roundTrip(Vertx vertx, String payload) throws Exception {
    AtomicReference<Class<? extends Channel>> channel = new AtomicReference<>();
    AtomicReference<String> thread = new AtomicReference<>();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      channel.set(((NetSocketInternal) socket).channelHandlerContext().channel().getClass());
      thread.set(Thread.currentThread().getName());
      socket.handler(socket::write);
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try {
      NetSocket client = vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
      Buffer received = Buffer.buffer();
      var done = new java.util.concurrent.CompletableFuture<String>();
      client.handler(data -> {
        received.appendBuffer(data);
        if (received.length() >= payload.length()) {
          done.complete(received.toString());
        }
      });
      client.write(payload);
      String echoed = done.get(10, TimeUnit.SECONDS);
      client.close();
      return new Result(echoed, channel.get(), thread.get());
    } finally {
      server.close().await(10, TimeUnit.SECONDS);
    }
  }
}
