package io.ringway.spi;

import io.netty.channel.Channel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One address object for what a listener's connections have in common. Netty's native channels (io_uring, epoll) keep
 * per accepted connection what {@code getsockname} returned and what {@code accept} wrote, each an
 * {@code InetSocketAddress} with its holder, {@code InetAddress} and its holder: 128 bytes of live heap each per idle
 * connection under ZGC. The local one is equal for every connection that reached the same address: the first
 * connection's object is kept and given to the next equal one. The remote one differs by port, but its
 * {@code InetAddress} (72 of the 128 bytes) is one client's, equal for every connection from that client (a load
 * balancer, a NAT, a sidecar send thousands): a connection from a client seen recently gets a remote address built
 * on that client's object. Both go into Netty's private fields: if those ever move, this does nothing and each
 * connection keeps its own. NIO's channels ask the JDK, which keeps its own per socket: nothing to do there.
 *
 * <p>A shared {@code InetAddress} caches a reverse lookup once for all its connections ({@code getHostName}); the
 * router writes addresses as numbers ({@code getHostAddress}), which does not change. Scoped IPv6 addresses are not
 * shared: two of them can be equal and name different interfaces.
 */
final class SharedAddresses {

  /** Recent clients kept per listener: a slot per address hash, a client overwriting another in its slot. */
  private static final int CLIENTS = 64;

  /** A channel class's private {@code local} and {@code remote} fields: none where there are not both. */
  private record Fields(VarHandle local, VarHandle remote) {
  }

  private static final ClassValue<Optional<Fields>> FIELDS = new ClassValue<>() {
    @Override
    protected Optional<Fields> computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        if (!c.getPackageName().startsWith("io.netty.channel.")) {
          continue;
        }
        try {
          MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
          return Optional.of(new Fields(lookup.findVarHandle(c, "local", SocketAddress.class),
              lookup.findVarHandle(c, "remote", SocketAddress.class)));
        } catch (ReflectiveOperationException | RuntimeException notHere) {
          // a superclass may declare them
        }
      }
      return Optional.empty();
    }
  };

  /** The local address object the last connection kept: read and written by every loop, a stale one costs a miss. */
  private volatile SocketAddress local;
  private final AtomicReferenceArray<InetAddress> clients = new AtomicReferenceArray<>(CLIENTS);

  /** Gives {@code channel} the shared objects where its addresses equal them; else makes its own the shared ones. */
  void share(Channel channel) {
    Optional<Fields> fields = FIELDS.get(channel.getClass());
    if (fields.isEmpty()) {
      return;
    }
    shareLocal(channel, fields.get().local());
    shareClient(channel, fields.get().remote());
  }

  private void shareLocal(Channel channel, VarHandle field) {
    Object own = field.get(channel);
    SocketAddress kept = local;
    if (kept == null || !kept.equals(own)) {
      local = own instanceof SocketAddress address ? address : null;
    } else if (kept != own) {
      field.set(channel, kept);
    }
  }

  private void shareClient(Channel channel, VarHandle field) {
    if (!(field.get(channel) instanceof InetSocketAddress remote) || remote.isUnresolved()
        || remote.getAddress() instanceof Inet6Address ip6 && ip6.getScopeId() != 0) {
      return;
    }
    InetAddress own = remote.getAddress();
    int hash = own.hashCode();
    int slot = (hash ^ hash >>> 16) & (CLIENTS - 1);
    InetAddress kept = clients.getAcquire(slot);
    if (kept == null || !kept.equals(own)) {
      clients.setRelease(slot, own);
    } else if (kept != own) {
      field.set(channel, new InetSocketAddress(kept, remote.getPort()));
    }
  }
}
