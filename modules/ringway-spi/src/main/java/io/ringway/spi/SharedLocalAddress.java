package io.ringway.spi;

import io.netty.channel.Channel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * One local address object for all of a listener's connections to one interface. Netty's native channels (io_uring,
 * epoll) keep what {@code getsockname} returned for each accepted connection, an {@code InetSocketAddress} with its
 * holder, {@code Inet4Address} and its holder: 128 bytes of live heap per idle connection under ZGC, equal for every
 * connection that reached the same address. The first connection's object is kept and the next equal one's replaced
 * with it, in Netty's private field: if that field ever moves, this does nothing and each connection keeps its own.
 * NIO's channels ask the JDK, which keeps its own per socket: nothing to do there.
 */
final class SharedLocalAddress {

  /** The channel class's private {@code local} field, per class: empty where there is none. */
  private static final ClassValue<Optional<VarHandle>> FIELD = new ClassValue<>() {
    @Override
    protected Optional<VarHandle> computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        if (!c.getPackageName().startsWith("io.netty.channel.")) {
          continue;
        }
        try {
          return Optional.of(MethodHandles.privateLookupIn(c, MethodHandles.lookup())
              .findVarHandle(c, "local", SocketAddress.class));
        } catch (ReflectiveOperationException | RuntimeException notHere) {
          // a superclass may declare it
        }
      }
      return Optional.empty();
    }
  };

  /** The object the last connection kept: read and written by every loop, where a stale one only costs a miss. */
  private volatile SocketAddress shared;

  /** Gives {@code channel} the shared object if its local address equals it; else makes its own the shared one. */
  void share(Channel channel) {
    Optional<VarHandle> field = FIELD.get(channel.getClass());
    if (field.isEmpty()) {
      return;
    }
    Object local = field.get().get(channel);
    SocketAddress kept = shared;
    if (kept == null || !kept.equals(local)) {
      shared = local instanceof SocketAddress address ? address : null;
    } else if (kept != local) {
      field.get().set(channel, kept);
    }
  }
}
