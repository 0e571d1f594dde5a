package io.ringway.spi;

import io.netty.channel.ChannelOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Socket options Vert.x's native transports set on every socket even when the socket already has the value:
 * one {@code setsockopt} each per accepted or dialled connection, for nothing. Either the value is what a
 * fresh TCP socket has ({@code SO_KEEPALIVE} off, {@code TCP_USER_TIMEOUT} 0, {@code TCP_CORK} off,
 * {@code SO_REUSEADDR} off), or Netty's socket config already set it when it built the channel:
 * {@code TCP_NODELAY} on, which every Netty socket config (NIO, epoll, io_uring) sets in its constructor
 * ({@code PlatformDependent.canEnableTcpNoDelayByDefault()}, true but on Android), so Vert.x's
 * {@code TCP_NODELAY} child and client option is its second {@code setsockopt(TCP_NODELAY, 1)} per socket.
 * Transport plugins drop them from the bootstraps Vert.x configures. {@code SO_REUSEADDR} only matters to
 * {@code bind(2)}: a connecting socket that never binds gets its ephemeral port from
 * {@code __inet_hash_connect}, which does not look at it. {@code TCP_QUICKACK=0} is not among them: it changes a
 * fresh socket (ends its quick-ack phase), and an accepted socket does not inherit it from its listener.
 */
public final class KernelDefaultOptions {

  /** Option name (without Netty's {@code Class#} prefix) and the value a fresh Netty TCP channel's socket has. */
  private static final Map<String, Object> DEFAULTS = Map.of(
      "SO_KEEPALIVE", false,
      "TCP_USER_TIMEOUT", 0,
      "TCP_CORK", false,
      "SO_REUSEADDR", false,
      "TCP_NODELAY", true);

  private KernelDefaultOptions() {
  }

  /**
   * Calls {@code remove} for each of {@code options} that would only set what the socket already has.
   *
   * @param options a bootstrap's {@code options()} or {@code childOptions()} (a copy, so removing is safe)
   * @param remove removes one option from the bootstrap, e.g. {@code o -> bootstrap.childOption(o, null)}
   */
  public static void drop(Map<ChannelOption<?>, Object> options, Consumer<ChannelOption<Object>> remove) {
    options.forEach((option, value) -> {
      String name = option.name();
      if (value != null && value.equals(DEFAULTS.get(name.substring(name.lastIndexOf('#') + 1)))) {
        @SuppressWarnings("unchecked")
        ChannelOption<Object> untyped = (ChannelOption<Object>) option;
        remove.accept(untyped);
      }
    });
  }
}
