package io.ringway.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.ringway.tcp.TestTransports;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The FIN the proxy forwards, sent past Netty on native channels: the peer reads EOF, and can still send. */
class NativeShutdownTest {

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void theFinLeavesAndReadingStaysOpen(String transport) throws Exception {
    Vertx vertx = TestTransports.vertx(transport, 1);
    // Held to the end: Vert.x closes an unreachable client, and with it its connections, when the GC finds it.
    NetClient client = vertx.createNetClient();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NetSocketInternal socket = (NetSocketInternal) client
          .connect(server.getLocalPort(), server.getInetAddress().getHostAddress()).await(10, TimeUnit.SECONDS);
      CompletableFuture<String> received = new CompletableFuture<>();
      Buffer seen = Buffer.buffer();
      socket.handler(data -> {
        seen.appendBuffer(data);
        if (seen.toString().endsWith("!")) {
          received.complete(seen.toString());
        }
      });
      try (Socket peer = server.accept()) {
        Channel channel = socket.channelHandlerContext().channel();
        CompletableFuture<Boolean> shut = new CompletableFuture<>();
        channel.eventLoop().execute(() -> shut.complete(NativeShutdown.shutdownOutput(channel)));

        assertThat(shut.get(10, TimeUnit.SECONDS)).as("sent past Netty").isEqualTo(!transport.equals("nio"));
        if (transport.equals("nio")) {
          return; // not a native channel: the caller goes Netty's way
        }
        InputStream in = peer.getInputStream();
        peer.setSoTimeout(10_000);
        assertThat(in.read()).as("the peer reads end of stream").isEqualTo(-1);
        peer.getOutputStream().write("still open!".getBytes());
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("still open!");
      }
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
