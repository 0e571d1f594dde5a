package io.ringway.transport.uring;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringway.spi.AcceptedChannels;
import io.ringway.testkit.Capabilities;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EmptyWriteFilterTest {

  @Test
  void anEmptyWriteWithNothingPendingCompletesWithoutReachingTheChannel() {
    EmbeddedChannel channel = new EmbeddedChannel(EmptyWriteFilter.INSTANCE);
    ByteBuf empty = Unpooled.buffer(0);

    ChannelFuture written = channel.writeAndFlush(empty);

    assertThat(written.isSuccess()).isTrue();
    assertThat(empty.refCnt()).as("released").isZero();
    assertThat((Object) channel.readOutbound()).isNull();
  }

  @Test
  void anEmptyWriteBehindPendingBytesKeepsItsPlace() {
    EmbeddedChannel channel = new EmbeddedChannel(EmptyWriteFilter.INSTANCE);
    channel.write(Unpooled.copiedBuffer("response", StandardCharsets.US_ASCII));

    // writeAndFlush(EMPTY) then close: its completion must mean the response went out first.
    ChannelFuture marker = channel.writeAndFlush(Unpooled.EMPTY_BUFFER);

    assertThat(marker.isSuccess()).isTrue();
    ByteBuf first = channel.readOutbound();
    assertThat(first.toString(StandardCharsets.US_ASCII)).isEqualTo("response");
    first.release();
    assertThat((Object) channel.readOutbound()).as("the empty one, passed on in order").isEqualTo(Unpooled.EMPTY_BUFFER);
  }

  @Test
  void acceptedIoUringConnectionsHaveTheFilterNextToTheSocket() throws Exception {
    IoUringTransportPlugin plugin = new IoUringTransportPlugin();
    Capabilities.require("io_uring", plugin.isAvailable(), plugin.unavailabilityCause());
    Vertx vertx = Vertx.builder().withTransport(plugin.create(new JsonObject())).build();
    try {
      CompletableFuture<Object> first = new CompletableFuture<>();
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
        // Once the initializers that ran this handler have left the pipeline.
        context.executor().execute(() -> first.complete(context.pipeline().first()));
      });
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);

      assertThat(first.get(10, TimeUnit.SECONDS)).isSameAs(EmptyWriteFilter.INSTANCE);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionADeferralHoldsGetsTheFilterOnlyWhenHandedOver() throws Exception {
    Vertx vertx = oneLoop();
    try {
      CompletableFuture<List<ChannelHandler>> whileHeld = new CompletableFuture<>();
      CompletableFuture<Object> afterHandOver = new CompletableFuture<>();
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
        context.executor().execute(() -> afterHandOver.complete(context.pipeline().first()));
      });
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      EventLoop loop = ((VertxInternal) vertx).nettyEventLoopGroup().next();
      AcceptedChannels.Deferral holdAndHandOver = (channel, handOver) -> {
        whileHeld.complete(handlers(channel));
        handOver.accept(channel);
      };
      try (AcceptedChannels.Registration deferral = AcceptedChannels.defer(server.actualPort(), loop, holdAndHandOver)) {
        vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);

        assertThat(whileHeld.get(10, TimeUnit.SECONDS)).as("an idle held connection's handlers")
            .doesNotContain(EmptyWriteFilter.INSTANCE);
        assertThat(afterHandOver.get(10, TimeUnit.SECONDS)).isSameAs(EmptyWriteFilter.INSTANCE);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A connection a deferral takes back from Vert.x (a parked keep-alive one) waits without the filter, as one never
   * handed over does, and its next hand-over puts it back first, once.
   */
  @Test
  void aConnectionTakenBackLosesTheFilterAndItsNextHandOverPutsItBackOnce() throws Exception {
    Vertx vertx = oneLoop();
    try {
      CompletableFuture<List<ChannelHandler>> handedOver = new CompletableFuture<>();
      CompletableFuture<List<ChannelHandler>> takenBack = new CompletableFuture<>();
      CompletableFuture<List<ChannelHandler>> handedOverAgain = new CompletableFuture<>();
      AtomicReference<Consumer<Channel>> handOver = new AtomicReference<>();
      AtomicInteger handOvers = new AtomicInteger();
      NetServer server = vertx.createNetServer().connectHandler(socket -> {
        ChannelHandlerContext context = ((NetSocketInternal) socket).channelHandlerContext();
        context.executor().execute(() -> {
          Channel channel = context.channel();
          if (handOvers.incrementAndGet() == 1) {
            handedOver.complete(handlers(channel));
            // What parking does: Vert.x's handlers leave (a NetServer's are its chunked writer and its handler),
            // then the transport's.
            context.pipeline().remove("chunkedWriter");
            context.pipeline().remove(context.handler());
            AcceptedChannels.takeBack(channel);
            takenBack.complete(handlers(channel));
            // What a wake does: the server's hand-over, which builds its pipeline again behind the transport's.
            handOver.get().accept(channel);
            // Vert.x built its pipeline again: the connection is still open.
            handedOverAgain.complete(channel.isActive() ? handlers(channel) : List.of());
          }
        });
      });
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
      EventLoop loop = ((VertxInternal) vertx).nettyEventLoopGroup().next();
      AcceptedChannels.Deferral handOverAtOnce = (channel, serverHandOver) -> {
        handOver.set(serverHandOver);
        serverHandOver.accept(channel);
      };
      try (AcceptedChannels.Registration deferral = AcceptedChannels.defer(server.actualPort(), loop, handOverAtOnce)) {
        vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);

        assertThat(handedOver.get(10, TimeUnit.SECONDS)).contains(EmptyWriteFilter.INSTANCE);
        assertThat(takenBack.get(10, TimeUnit.SECONDS)).as("a taken-back connection's handlers")
            .doesNotContain(EmptyWriteFilter.INSTANCE);
        List<ChannelHandler> again = handedOverAgain.get(10, TimeUnit.SECONDS);
        assertThat(again).as("handlers of the connection handed over again (none: Vert.x closed it)").isNotEmpty();
        assertThat(again.getFirst()).isSameAs(EmptyWriteFilter.INSTANCE);
        assertThat(again).filteredOn(handler -> handler == EmptyWriteFilter.INSTANCE).hasSize(1);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** One io_uring loop: the server's connections are registered with the loop a deferral is registered for. */
  private static Vertx oneLoop() {
    IoUringTransportPlugin plugin = new IoUringTransportPlugin();
    Capabilities.require("io_uring", plugin.isAvailable(), plugin.unavailabilityCause());
    return Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1))
        .withTransport(plugin.create(new JsonObject())).build();
  }

  private static List<ChannelHandler> handlers(Channel channel) {
    List<ChannelHandler> handlers = new ArrayList<>();
    channel.pipeline().forEach(entry -> handlers.add(entry.getValue()));
    return handlers;
  }
}
