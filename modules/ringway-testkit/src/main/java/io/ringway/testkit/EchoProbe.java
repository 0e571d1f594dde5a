package io.ringway.testkit;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
    AtomicInteger serverReceived = new AtomicInteger();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      channel.set(((NetSocketInternal) socket).channelHandlerContext().channel().getClass());
      thread.set(Thread.currentThread().getName());
      socket.handler(data -> {
        serverReceived.addAndGet(data.length());
        socket.write(data);
      });
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    // Held until the end: an unreachable client is shut down by Vert.x's cleaner, its connection with it.
    NetClient dialler = vertx.createNetClient();
    try {
      NetSocket client = dialler.connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
      Buffer received = Buffer.buffer();
      CompletableFuture<String> done = new CompletableFuture<>();
      client.handler(data -> {
        received.appendBuffer(data);
        if (received.length() >= payload.length()) {
          done.complete(received.toString());
        }
      });
      client.write(payload);
      String echoed;
      try {
        echoed = done.get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        Channel dialled = ((NetSocketInternal) client).channelHandlerContext().channel();
        throw new IllegalStateException("no echo within 10 s over " + dialled.localAddress() + " -> "
            + dialled.remoteAddress() + " (" + (dialled.isActive() ? "active" : "not active") + "): the server "
            + (channel.get() == null ? "never saw the connection" : "took it and read " + serverReceived.get()
            + " of " + payload.length() + " bytes") + "; " + received.length() + " came back", e);
      }
      client.close();
      return new Result(echoed, channel.get(), thread.get());
    } finally {
      dialler.close().await(10, TimeUnit.SECONDS);
      server.close().await(10, TimeUnit.SECONDS);
    }
  }
}
