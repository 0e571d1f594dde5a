package io.ringway.transport.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.ringway.testkit.Capabilities;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A half-closed connection whose reading is paused (auto-read off, as backpressure does) is interested in no epoll
 * event once Netty has handled the peer's FIN. Reading and writing must both go on after that: what the peer sent
 * before its FIN is read, and a write larger than the socket's buffer (which needs EPOLLOUT) completes.
 */
class EmptyInterestTest {

  private static final int BEFORE_FIN = 100_000;
  private static final int WRITTEN = 8 << 20;

  @Test
  void aHalfClosedConnectionWithReadingPausedReadsAndWritesOn() throws Exception {
    Capabilities.require("epoll", Epoll.isAvailable(), String.valueOf(Epoll.unavailabilityCause()));
    Outcome outcome = run(GuardedEpollHandler.factory(EpollIoHandler.newFactory()));

    assertThat(outcome.failure()).as("what the channel heard").isNull();
    assertThat(outcome.read()).as("bytes read of those the peer sent before its FIN").isEqualTo(1 + BEFORE_FIN);
    assertThat(outcome.inputShutdown()).as("the FIN reached the pipeline").isTrue();
    assertThat(outcome.written()).as("bytes the peer received of the write").isEqualTo(WRITTEN);
  }

  /** The control: Netty's own handler deletes the descriptor from epoll and cannot add it back. */
  @Test
  void nettysOwnHandlerLosesTheConnection() throws Exception {
    Capabilities.require("epoll", Epoll.isAvailable(), String.valueOf(Epoll.unavailabilityCause()));
    Outcome outcome = run(EpollIoHandler.newFactory());

    assertThat(outcome.failure() != null || outcome.read() != 1 + BEFORE_FIN || outcome.written() != WRITTEN)
        .as("if Netty stopped losing this connection (%s), GuardedEpollHandler's empty interest set can go", outcome)
        .isTrue();
  }

  record Outcome(int read, boolean inputShutdown, long written, Throwable failure) {
  }

  private static Outcome run(IoHandlerFactory factory) throws Exception {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
    try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      // Small buffers on both sides, and a peer that reads late: the write cannot finish without EPOLLOUT.
      listener.setReceiveBufferSize(64 << 10);
      AtomicInteger read = new AtomicInteger();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CountDownLatch firstByte = new CountDownLatch(1);
      CompletableFuture<Void> inputShutdown = new CompletableFuture<>();
      Channel channel = new Bootstrap().group(group).channel(EpollSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .option(ChannelOption.SO_SNDBUF, 64 << 10)
          .handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              read.addAndGet(((ByteBuf) msg).readableBytes());
              ((ByteBuf) msg).release();
              firstByte.countDown();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
              if (event instanceof ChannelInputShutdownEvent) {
                inputShutdown.complete(null);
              }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
              failure.compareAndSet(null, cause);
            }
          })
          .connect(listener.getLocalSocketAddress()).sync().channel();
      try (Socket peer = listener.accept()) {
        OutputStream toChannel = peer.getOutputStream();
        // One read armed and done: with auto-read off, Netty then drops EPOLLIN from the descriptor's interest.
        channel.read();
        toChannel.write('x');
        assertThat(firstByte.await(5, TimeUnit.SECONDS)).isTrue();
        // Netty drops EPOLLIN after the read completes, just after channelRead: the data below must not find it there.
        Thread.sleep(100);
        // Data, then FIN: Netty handles the EPOLLRDHUP and drops it too, which leaves no interest at all.
        toChannel.write(new byte[BEFORE_FIN]);
        peer.shutdownOutput();
        Thread.sleep(200);

        ChannelFuture write = channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[WRITTEN]));
        Thread.sleep(200);
        CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(peer));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!inputShutdown.isDone() && System.nanoTime() < deadline && channel.isOpen()) {
          channel.read();
          Thread.sleep(10);
        }
        write.await(5, TimeUnit.SECONDS);
        if (write.cause() != null) {
          failure.compareAndSet(null, write.cause());
        }
        channel.close().await(5, TimeUnit.SECONDS);
        long written = received.get(10, TimeUnit.SECONDS);
        return new Outcome(read.get(), inputShutdown.isDone(), written, failure.get());
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static long drain(Socket peer) {
    byte[] buffer = new byte[64 << 10];
    long total = 0;
    try {
      peer.setSoTimeout(5_000);
      InputStream in = peer.getInputStream();
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
      }
    } catch (java.io.IOException endedOrTimedOut) {
      // the total so far is the answer
    }
    return total;
  }
}
