package io.ringway.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompactRecvByteBufAllocatorTest {

  private static final int KIB = 1024;

  @Test
  void aFullReadGrowsTheNextBufferFourfoldAtOnceUpTo64KiB() {
    RecvByteBufAllocator.ExtendedHandle handle = handle();
    assertThat(handle.guess()).isEqualTo(2 * KIB);

    handle.reset(new EmbeddedChannel().config());
    read(handle, 2 * KIB, 2 * KIB);
    assertThat(handle.guess()).as("grown within the read loop").isEqualTo(8 * KIB);
    read(handle, 8 * KIB, 8 * KIB);
    read(handle, 32 * KIB, 32 * KIB);
    read(handle, 64 * KIB, 64 * KIB);
    handle.readComplete();

    assertThat(handle.guess()).isEqualTo(64 * KIB);
  }

  @Test
  void twoReadLoopsInARowThatFitInHalfTheBufferHalveIt() {
    RecvByteBufAllocator.ExtendedHandle handle = handle();
    ChannelConfig config = new EmbeddedChannel().config();

    loop(handle, config, 1 * KIB);
    assertThat(handle.guess()).as("one small loop is not enough").isEqualTo(2 * KIB);
    loop(handle, config, 1500);
    assertThat(handle.guess()).as("a loop that needs more than half breaks the run").isEqualTo(2 * KIB);
    loop(handle, config, 1 * KIB);
    loop(handle, config, 1 * KIB);
    assertThat(handle.guess()).isEqualTo(1 * KIB);

    for (int i = 0; i < 40; i++) {
      loop(handle, config, 10);
    }
    assertThat(handle.guess()).as("the floor").isEqualTo(64);
  }

  @Test
  void theReadLoopStopsAtAShortReadAtTheAllocatorsMessageLimitWithoutAutoReadAndAfterNothing() {
    CompactRecvByteBufAllocator allocator = new CompactRecvByteBufAllocator();
    RecvByteBufAllocator.ExtendedHandle handle = (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();
    ChannelConfig config = new EmbeddedChannel().config();

    handle.reset(config);
    read(handle, 2 * KIB, 2 * KIB);
    assertThat(handle.continueReading()).as("a full read: maybe more").isTrue();
    read(handle, 8 * KIB, 100);
    assertThat(handle.continueReading()).as("a short read").isFalse();
    assertThat(handle.continueReading(() -> true)).as("the caller's own say on more").isTrue();

    handle.reset(config);
    assertThat(handle.continueReading(() -> true)).as("nothing read yet").isFalse();
    for (int i = 0; i < 16; i++) {
      read(handle, handle.guess(), handle.guess());
    }
    assertThat(handle.continueReading(() -> true)).as("16 reads, Netty's stream default").isFalse();
    allocator.maxMessagesPerRead(32);
    assertThat(handle.continueReading(() -> true)).isTrue();

    handle.reset(config);
    read(handle, handle.guess(), handle.guess());
    config.setAutoRead(false);
    assertThat(handle.continueReading(() -> true)).isFalse();
  }

  @Test
  void aSharedAllocatorGivesEachChannelItsOwnSizes() {
    CompactRecvByteBufAllocator allocator = new CompactRecvByteBufAllocator();
    RecvByteBufAllocator.ExtendedHandle bulk = (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();
    RecvByteBufAllocator.ExtendedHandle small = (RecvByteBufAllocator.ExtendedHandle) allocator.newHandle();

    bulk.reset(new EmbeddedChannel().config());
    read(bulk, 2 * KIB, 2 * KIB);

    assertThat(bulk.guess()).isEqualTo(8 * KIB);
    assertThat(small.guess()).isEqualTo(2 * KIB);
  }

  @Test
  void installLeavesAnAllocatorAlreadyConfigured() {
    FixedRecvByteBufAllocator fixed = new FixedRecvByteBufAllocator(4096);
    ServerBootstrap configured = new ServerBootstrap().childOption(ChannelOption.RCVBUF_ALLOCATOR, fixed);
    ServerBootstrap plain = new ServerBootstrap();
    Bootstrap client = new Bootstrap();

    CompactRecvByteBufAllocator.install(configured);
    CompactRecvByteBufAllocator.install(plain);
    CompactRecvByteBufAllocator.install(client);

    assertThat(configured.config().childOptions().get(ChannelOption.RCVBUF_ALLOCATOR)).isSameAs(fixed);
    assertThat(plain.config().childOptions().get(ChannelOption.RCVBUF_ALLOCATOR))
        .isInstanceOf(CompactRecvByteBufAllocator.class);
    assertThat(client.config().options().get(ChannelOption.RCVBUF_ALLOCATOR))
        .isInstanceOf(CompactRecvByteBufAllocator.class);
  }

  /**
   * Real sockets: 4 MiB arrive whole and in order while the buffers grow to 64 KiB, then small messages, each read
   * alone, bring them down again.
   */
  @Test
  void overASocketBulkBytesArriveWholeInGrownBuffersAndSmallOnesShrinkThem() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      byte[] bulk = new byte[4 * KIB * KIB];
      new Random(17).nextBytes(bulk);
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      List<Integer> capacities = new CopyOnWriteArrayList<>();
      CompletableFuture<RecvByteBufAllocator> serverAllocator = new CompletableFuture<>();
      long[] count = new long[1];
      CompletableFuture<Void> bulkIn = new CompletableFuture<>();
      CompletableFuture<Void> smallIn = new CompletableFuture<>();
      int smallMessages = 8;
      ServerBootstrap server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
              serverAllocator.complete(ctx.channel().config().getRecvByteBufAllocator());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ByteBuf bytes = (ByteBuf) msg;
              capacities.add(bytes.capacity());
              int n = bytes.readableBytes();
              received.update(bytes.nioBuffer());
              bytes.release();
              count[0] += n;
              if (count[0] == bulk.length) {
                bulkIn.complete(null);
              } else if (count[0] == bulk.length + smallMessages) {
                smallIn.complete(null);
              }
            }
          });
      CompactRecvByteBufAllocator.install(server);
      Channel listening = server.bind("127.0.0.1", 0).sync().channel();
      Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInboundHandlerAdapter())
          .connect(listening.localAddress()).sync().channel();

      client.writeAndFlush(Unpooled.wrappedBuffer(bulk)).sync();
      bulkIn.get(20, TimeUnit.SECONDS);
      int grown = capacities.stream().mapToInt(Integer::intValue).max().orElseThrow();
      int afterBulk = capacities.size();
      for (int i = 0; i < smallMessages; i++) {
        // Each sent once the one before was read: a read loop each.
        int seen = capacities.size();
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i})).sync();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (capacities.size() == seen && System.nanoTime() < until) {
          Thread.sleep(1);
        }
      }
      smallIn.get(20, TimeUnit.SECONDS);

      assertThat(serverAllocator.get(10, TimeUnit.SECONDS)).isInstanceOf(CompactRecvByteBufAllocator.class);
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      sent.update(bulk);
      for (int i = 0; i < smallMessages; i++) {
        sent.update((byte) i);
      }
      assertThat(received.digest()).as("every byte, in order").isEqualTo(sent.digest());
      assertThat(capacities.getFirst()).isEqualTo(2 * KIB);
      assertThat(grown).isEqualTo(64 * KIB);
      // Eight one-byte reads, each a read loop of its own: the buffer halves after every second one (three or four
      // times, as the bulk's last loop left the count).
      assertThat(capacities.getLast()).isLessThanOrEqualTo(capacities.get(afterBulk) >> 3);
      assertThat(capacities.subList(afterBulk, capacities.size())).isSortedAccordingTo((a, b) -> b - a);
      client.close().sync();
      listening.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static RecvByteBufAllocator.ExtendedHandle handle() {
    return (RecvByteBufAllocator.ExtendedHandle) new CompactRecvByteBufAllocator().newHandle();
  }

  private static void read(RecvByteBufAllocator.Handle handle, int attempted, int got) {
    handle.attemptedBytesRead(attempted);
    handle.lastBytesRead(got);
    handle.incMessagesRead(1);
  }

  /** One read loop: a read of {@code bytes} that did not fill its buffer, then the empty read that ends it. */
  private static void loop(RecvByteBufAllocator.Handle handle, ChannelConfig config, int bytes) {
    handle.reset(config);
    read(handle, handle.guess(), bytes);
    handle.readComplete();
  }
}
