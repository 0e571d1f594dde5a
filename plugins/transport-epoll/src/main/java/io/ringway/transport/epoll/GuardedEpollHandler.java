package io.ringway.transport.epoll;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's {@link EpollIoHandler} without two hazards of its registrations.
 * <ul>
 *   <li>An event epoll reported for a descriptor that was closed while the same batch of events was being handled,
 *   handed to the channel that took the descriptor's number later in that batch (the kernel gives out the lowest free
 *   number, and Netty 4.2 finds a registration by number). A socket not yet connected that gets a stale reset
 *   (EPOLLIN, EPOLLRDHUP) reads, fails with ENOTCONN and closes, and its connect then fails with a
 *   {@code ClosedChannelException}: on a proxy, a request answered 503 because an unrelated upstream connection died
 *   beside it. A registration made while a batch is handled was not in the set epoll_wait reported on, so every event
 *   of that batch that reaches it belonged to the closed descriptor and is dropped.</li>
 *   <li>An empty interest set. Since 4.2.13 (netty/netty#16689) Netty removes a descriptor from epoll when a channel
 *   wants no event, but its registration stays "added", so the next interest is an EPOLL_CTL_MOD that fails with
 *   ENOENT: a half-closed connection whose reading is paused (the peer's FIN handled, auto-read off for backpressure)
 *   can then neither write what does not fit its socket buffer nor read again, and the proxy cuts it short. Here an
 *   empty set is submitted as EPOLLET alone: the descriptor stays in epoll, hears no readiness, and its hang-up or
 *   error is reported once (edge-triggered), not at every wait, which is what #16689 was after.</li>
 * </ul>
 */
final class GuardedEpollHandler implements IoHandler {

  private final IoHandler epoll;
  /** The batch being handled, or the last one: counted up before each wait. Loop thread only, as every call here. */
  private long batch;

  private GuardedEpollHandler(IoHandler epoll) {
    this.epoll = epoll;
  }

  /** Wraps every handler {@code epoll} makes. */
  static IoHandlerFactory factory(IoHandlerFactory epoll) {
    return new IoHandlerFactory() {
      @Override
      public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new GuardedEpollHandler(epoll.newHandler(executor));
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
    Registered registered = new Registered((EpollIoHandle) handle, batch);
    registered.registration = epoll.register(registered);
    return registered;
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

  /**
   * A channel's (or the TUN device's) handle, which hears nothing from the batch it was registered in, and its
   * registration, which never submits an empty interest set. One object for both: one per connection.
   */
  private final class Registered implements EpollIoHandle, IoRegistration {

    private final EpollIoHandle handle;
    private final long registeredIn;
    /** Netty's registration of this handle; set as soon as Netty's register returns, before the channel sees it. */
    IoRegistration registration;

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

    @Override
    public long submit(IoOps ops) {
      return registration.submit(((EpollIoOps) ops).value() == 0 ? EpollIoOps.EPOLLET : ops);
    }

    @Override
    public <T> T attachment() {
      return registration.attachment();
    }

    @Override
    public boolean isValid() {
      return registration.isValid();
    }

    @Override
    public boolean cancel() {
      return registration.cancel();
    }
  }
}
