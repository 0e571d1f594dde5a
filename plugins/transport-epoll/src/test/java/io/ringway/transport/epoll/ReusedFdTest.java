package io.ringway.transport.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.ringway.testkit.Capabilities;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two connections become readable in one epoll batch; handling the first closes the second and connects a new
 * socket, which takes the second's descriptor number. The second's event, still in the batch, must not reach the new
 * socket: it would read before connecting, fail with ENOTCONN and close, and the connect would fail.
 */
class ReusedFdTest {

  private static final int ATTEMPTS = 20;

  @Test
  void aSocketConnectedWhileABatchIsHandledHearsNothingOfTheDescriptorItReused() throws Exception {
    Capabilities.require("epoll", Epoll.isAvailable(), String.valueOf(Epoll.unavailabilityCause()));
    List<Attempt> attempts = run(GuardedEpollHandler.factory(EpollIoHandler.newFactory()));

    List<Attempt> reused = attempts.stream().filter(Attempt::reusedNumber).toList();
    assertThat(reused).as("the kernel gave the new socket the closed one's number: %s", attempts).isNotEmpty();
    assertThat(attempts).as("every connect made while the batch was handled succeeded, and heard nothing before")
        .allSatisfy(attempt -> {
          assertThat(attempt.connectFailure()).isNull();
          assertThat(attempt.heard()).isNull();
        });
  }

  /** The control: without the guard, the same batch fails the connect, which is what the guard is for. */
  @Test
  void nettysOwnHandlerHandsTheStaleEventToTheNewSocket() throws Exception {
    Capabilities.require("epoll", Epoll.isAvailable(), String.valueOf(Epoll.unavailabilityCause()));
    List<Attempt> reused = run(EpollIoHandler.newFactory()).stream().filter(Attempt::reusedNumber).toList();

    assertThat(reused).isNotEmpty();
    assertThat(reused).as("if Netty stopped doing this, GuardedEpollHandler's batch check can go")
        .anySatisfy(attempt -> assertThat(attempt.connectFailure()).isNotNull());
  }

  /**
   * @param oldFd the descriptor of the connection closed in the batch
   * @param newFd the descriptor the socket connected in the same batch got
   * @param connectFailure why its connect failed, or null
   * @param heard what reached its pipeline's exceptionCaught before the connect ended, or null
   */
  record Attempt(int oldFd, int newFd, Throwable connectFailure, Throwable heard) {
    boolean reusedNumber() {
      return oldFd == newFd;
    }
  }

  private static List<Attempt> run(IoHandlerFactory factory) throws Exception {
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
    try (ServerSocket peer = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
      peer.setSoTimeout(5_000);
      EventLoop loop = group.next();
      List<Attempt> attempts = new ArrayList<>();
      for (int i = 0; i < ATTEMPTS; i++) {
        attempts.add(attempt(loop, peer));
      }
      return attempts;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static Attempt attempt(EventLoop loop, ServerSocket peer) throws Exception {
    InetSocketAddress address = (InetSocketAddress) peer.getLocalSocketAddress();
    CompletableFuture<Attempt> result = new CompletableFuture<>();
    EpollSocketChannel[] second = new EpollSocketChannel[1];
    // The first connection, on its first read, closes the second and connects a new socket, all within the batch.
    ChannelInboundHandlerAdapter closeAndConnect = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        int oldFd = second[0].fd().intValue();
        second[0].close();
        Throwable[] heard = new Throwable[1];
        ChannelFuture connect = client(loop, new ChannelInboundHandlerAdapter() {
          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            heard[0] = cause;
          }
        }).connect(address);
        int newFd = ((EpollSocketChannel) connect.channel()).fd().intValue();
        connect.addListener(f -> {
          result.complete(new Attempt(oldFd, newFd, f.cause(), heard[0]));
          connect.channel().close();
        });
        ctx.close();
      }
    };
    Channel first = client(loop, closeAndConnect).connect(address).sync().channel();
    second[0] = (EpollSocketChannel) client(loop, new Drop()).connect(address).sync().channel();
    try (Socket firstPeer = peer.accept(); Socket secondPeer = peer.accept()) {
      // Both become readable while the loop is held, so one epoll_wait reports both, the first one first.
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      loop.execute(() -> {
        held.countDown();
        await(release);
      });
      assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
      firstPeer.getOutputStream().write('x');
      // Readiness lands on epoll's ready list in order; a moment apart keeps the order.
      Thread.sleep(5);
      // An RST, as from a backend that died: on the new socket, not yet connected, it reads as ENOTCONN and EPOLLRDHUP,
      // and Netty closes it.
      secondPeer.setSoLinger(true, 0);
      secondPeer.close();
      release.countDown();
      Attempt attempt = result.get(5, TimeUnit.SECONDS);
      first.closeFuture().await(5, TimeUnit.SECONDS);
      if (attempt.connectFailure() == null) {
        // Accepted and closed, so the backlog does not fill over the attempts.
        peer.accept().close();
      }
      return attempt;
    }
  }

  private static Bootstrap client(EventLoop loop, ChannelInboundHandlerAdapter handler) {
    return new Bootstrap().group(loop).channel(EpollSocketChannel.class).handler(handler);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The second connection, whose reset is dropped if it is handled before the first one's read. */
  private static final class Drop extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
