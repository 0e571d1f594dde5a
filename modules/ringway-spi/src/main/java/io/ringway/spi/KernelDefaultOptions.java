package io.ringway.spi;

import io.netty.channel.ChannelOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Socket options Vert.x's native transports set on every socket even when the value is what a fresh socket
 * already has: one {@code setsockopt} each per accepted or dialled connection, for nothing. Transport
 * plugins drop them from the bootstraps Vert.x configures. {@code TCP_QUICKACK=0} is not among them: it
 * changes a fresh socket (ends its quick-ack phase).
 */
public final class KernelDefaultOptions {

  /** Option name (without Netty's {@code Class#} prefix) and the value a fresh TCP socket has. */
  private static final Map<String, Object> DEFAULTS = Map.of(
      "SO_KEEPALIVE", false,
      "TCP_USER_TIMEOUT", 0,
      "TCP_CORK", false);

  private KernelDefaultOptions() {
  }

  /**
   * Calls {@code remove} for each of {@code options} that would only set a kernel default.
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
