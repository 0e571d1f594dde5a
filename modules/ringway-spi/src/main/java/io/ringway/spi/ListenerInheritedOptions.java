package io.ringway.spi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Moves the per-connection socket options that Linux copies from a listening socket to every socket it
 * accepts onto the listening socket, set once before it binds, instead of one {@code setsockopt} per option
 * per accepted connection. The kernel fact: an accepted socket is cloned from its listener
 * ({@code sk_clone_lock} copies the sock, flags and user locks included), so {@code SO_KEEPALIVE},
 * {@code SO_SNDBUF}, {@code SO_RCVBUF}, {@code SO_LINGER} and {@code TCP_USER_TIMEOUT} arrive already set
 * (checked on kernel 6.18: {@code ListenerInheritedOptionsTest} in each native transport plugin reads them on
 * an accepted socket). {@code TCP_QUICKACK} is not inherited (the child's quick-ack state is reset), and
 * {@code TCP_NODELAY}, though inherited, is set by Netty's socket config on every channel anyway (see
 * {@link KernelDefaultOptions}), so neither is moved.
 *
 * <p>Only for the native transports, whose server channels expose their fd as a Netty {@link Socket}.
 */
public final class ListenerInheritedOptions {

  /** {@code IPPROTO_TCP} and {@code TCP_USER_TIMEOUT} from {@code <netinet/tcp.h>}: Netty's unix Socket has no setter. */
  private static final int IPPROTO_TCP = 6;
  private static final int TCP_USER_TIMEOUT = 18;

  private ListenerInheritedOptions() {
  }

  /**
   * Takes the inherited options out of {@code bootstrap}'s child options and sets them on its listening
   * socket when that registers (before bind and listen, so no connection can be accepted without them),
   * keeping any handler already set on the listening channel.
   */
  public static void move(ServerBootstrap bootstrap) {
    Map<String, Object> moved = new LinkedHashMap<>();
    bootstrap.config().childOptions().forEach((option, value) -> {
      String name = option.name().substring(option.name().lastIndexOf('#') + 1);
      if (value != null && isInherited(name, value)) {
        moved.put(name, value);
        @SuppressWarnings("unchecked")
        ChannelOption<Object> untyped = (ChannelOption<Object>) option;
        bootstrap.childOption(untyped, null);
      }
    });
    if (moved.isEmpty()) {
      return;
    }
    ChannelHandler previous = bootstrap.config().handler();
    bootstrap.handler(new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel listening) throws IOException {
        if (!(listening instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
          throw new IOException("cannot set " + moved.keySet() + " on " + listening.getClass().getName()
              + ": not a native socket");
        }
        apply(socket, moved);
        if (previous != null) {
          listening.pipeline().addLast(previous);
        }
      }
    });
  }

  private static boolean isInherited(String name, Object value) {
    return switch (name) {
      case "SO_KEEPALIVE", "SO_SNDBUF", "SO_RCVBUF", "SO_LINGER" -> true;
      // 0 is a fresh socket's value: nothing to set at all (KernelDefaultOptions drops it first).
      case "TCP_USER_TIMEOUT" -> !Integer.valueOf(0).equals(value);
      default -> false;
    };
  }

  private static void apply(Socket socket, Map<String, Object> options) throws IOException {
    for (Map.Entry<String, Object> option : options.entrySet()) {
      Object value = option.getValue();
      switch (option.getKey()) {
        case "SO_KEEPALIVE" -> socket.setKeepAlive((Boolean) value);
        case "SO_SNDBUF" -> socket.setSendBufferSize((Integer) value);
        case "SO_RCVBUF" -> socket.setReceiveBufferSize((Integer) value);
        case "SO_LINGER" -> socket.setSoLinger((Integer) value);
        case "TCP_USER_TIMEOUT" -> socket.setIntOpt(IPPROTO_TCP, TCP_USER_TIMEOUT, (Integer) value);
        default -> throw new IllegalStateException("not an inherited option: " + option.getKey());
      }
    }
  }
}
