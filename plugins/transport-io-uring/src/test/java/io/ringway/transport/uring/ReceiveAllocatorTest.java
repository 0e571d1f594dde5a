package io.ringway.transport.uring;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.ringway.spi.CompactRecvByteBufAllocator;
import io.ringway.testkit.Capabilities;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The io_uring transport's sockets read through a {@link CompactRecvByteBufAllocator} (issue 17). */
class ReceiveAllocatorTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    IoUringTransportPlugin plugin = new IoUringTransportPlugin();
    Capabilities.require("io_uring", plugin.isAvailable(), plugin.unavailabilityCause());
    vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void acceptedAndDialledSocketsShareACompactAllocatorAndBulkBytesComeBackWhole() throws Exception {
    CompletableFuture<RecvByteBufAllocator> accepted = new CompletableFuture<>();
    NetServer server = vertx.createNetServer().connectHandler(socket -> {
      accepted.complete(allocatorOf(socket));
      socket.handler(socket::write);
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    NetSocket client = vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    byte[] bulk = new byte[8 * 1024 * 1024];
    new Random(17).nextBytes(bulk);
    Buffer echoed = Buffer.buffer(bulk.length);
    CompletableFuture<Void> whole = new CompletableFuture<>();
    client.handler(bytes -> {
      echoed.appendBuffer(bytes);
      if (echoed.length() >= bulk.length) {
        whole.complete(null);
      }
    });

    client.write(Buffer.buffer(bulk));
    whole.get(30, TimeUnit.SECONDS);

    assertThat(echoed.getBytes()).as("8 MiB through io_uring reads both ways").isEqualTo(bulk);
    assertThat(accepted.get(10, TimeUnit.SECONDS)).isInstanceOf(CompactRecvByteBufAllocator.class);
    assertThat(allocatorOf(client)).isInstanceOf(CompactRecvByteBufAllocator.class);
  }

  @Test
  void aConfiguredReceiveBufferSizeKeepsVertxsFixedAllocator() throws Exception {
    CompletableFuture<RecvByteBufAllocator> accepted = new CompletableFuture<>();
    NetServer server = vertx.createNetServer(new NetServerOptions().setReceiveBufferSize(32 * 1024))
        .connectHandler(socket -> accepted.complete(allocatorOf(socket)));
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    NetSocket client = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(32 * 1024))
        .connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);

    assertThat(accepted.get(10, TimeUnit.SECONDS)).isInstanceOf(FixedRecvByteBufAllocator.class);
    assertThat(allocatorOf(client)).isInstanceOf(FixedRecvByteBufAllocator.class);
  }

  private static RecvByteBufAllocator allocatorOf(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel().config().getRecvByteBufAllocator();
  }
}
