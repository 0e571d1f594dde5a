package io.ringway.transport.uring;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event loops as Vert.x's acceptor group, with a round-robin of their own. Handing Vert.x the loop group
 * itself would let every listening socket's {@code next()} advance the same counter Vert.x assigns verticle
 * instances to loops with: a listener bound between two deployments shifts the next instance onto a loop that
 * already has one, and leaves another loop without. Shutting down is the loop group's own (Vert.x shuts the
 * acceptor group down first, then the loops, which are terminated by then).
 */
final class LoopsAsAcceptors extends AbstractEventExecutorGroup implements EventLoopGroup {

  private final EventLoopGroup loops;
  private final List<EventLoop> members = new ArrayList<>();
  private int next;

  LoopsAsAcceptors(EventLoopGroup loops) {
    this.loops = loops;
    for (EventExecutor member : loops) {
      members.add((EventLoop) member);
    }
  }

  @Override
  public synchronized EventLoop next() {
    EventLoop loop = members.get(next);
    next = (next + 1) % members.size();
    return loop;
  }

  @Override
  public Iterator<EventExecutor> iterator() {
    return loops.iterator();
  }

  @Override
  public ChannelFuture register(Channel channel) {
    return next().register(channel);
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    return next().register(promise);
  }

  @Override
  @Deprecated
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    return next().register(channel, promise);
  }

  @Override
  public boolean isShuttingDown() {
    return loops.isShuttingDown();
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    return loops.shutdownGracefully(quietPeriod, timeout, unit);
  }

  @Override
  public Future<?> terminationFuture() {
    return loops.terminationFuture();
  }

  @Override
  @Deprecated
  public void shutdown() {
    loops.shutdown();
  }

  @Override
  public boolean isShutdown() {
    return loops.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return loops.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return loops.awaitTermination(timeout, unit);
  }
}
