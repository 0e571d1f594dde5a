package io.ringway.transport.epoll;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's {@link EpollIoHandler} without one hazard: an event epoll reported for a descriptor that was closed while
 * the same batch of events was being handled, handed to the channel that took the descriptor's number later in that
 * batch (the kernel gives out the lowest free number, and Netty 4.2.12 finds a registration by number). A socket not
 * yet connected that gets a stale reset (EPOLLIN, EPOLLRDHUP) reads, fails with ENOTCONN and closes, and its connect
 * then fails with a {@code ClosedChannelException}: on a proxy, a request answered 503 because an unrelated upstream
 * connection died beside it. A registration made while a batch is handled was not in the set epoll_wait reported on,
 * so every event of that batch that reaches it belonged to the closed descriptor and is dropped.
 */
final class ReusedFdGuard implements IoHandler {

  private final IoHandler epoll;
  /** The batch being handled, or the last one: counted up before each wait. Loop thread only, as every call here. */
  private long batch;

  private ReusedFdGuard(IoHandler epoll) {
    this.epoll = epoll;
  }

  /** Wraps every handler {@code epoll} makes. */
  static IoHandlerFactory factory(IoHandlerFactory epoll) {
    return new IoHandlerFactory() {
      @Override
      public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new ReusedFdGuard(epoll.newHandler(executor));
      }

      @Override
      public boolean isChangingThreadSupported() {
        return epoll.isChangingThreadSupported();
      }
    };
  }

  @Override
  public int run(IoHandlerContext context) {
    batch++;
    return epoll.run(context);
  }

  @Override
  public IoRegistration register(IoHandle handle) throws Exception {
    return epoll.register(new Registered((EpollIoHandle) handle, batch));
  }

  @Override
  public void initialize() {
    epoll.initialize();
  }

  @Override
  public void prepareToDestroy() {
    epoll.prepareToDestroy();
  }

  @Override
  public void destroy() {
    epoll.destroy();
  }

  @Override
  public void wakeup() {
    epoll.wakeup();
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return epoll.isCompatible(handleType);
  }

  /** A channel's (or the TUN device's) handle, which hears nothing from the batch it was registered in. */
  private final class Registered implements EpollIoHandle {

    private final EpollIoHandle handle;
    private final long registeredIn;

    Registered(EpollIoHandle handle, long registeredIn) {
      this.handle = handle;
      this.registeredIn = registeredIn;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
      if (registeredIn != batch) {
        handle.handle(registration, event);
      }
    }

    @Override
    public FileDescriptor fd() {
      return handle.fd();
    }

    @Override
    public void registered() {
      handle.registered();
    }

    @Override
    public void unregistered() {
      handle.unregistered();
    }

    @Override
    public void close() throws Exception {
      handle.close();
    }
  }
}
