package io.ringway.transport.epoll;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.ringway.spi.AcceptedChannels;
import io.ringway.spi.CompactRecvByteBufAllocator;
import io.ringway.spi.ConfigError;
import io.ringway.spi.KernelDefaultOptions;
import io.ringway.spi.ListenerInheritedOptions;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.List;

/** Netty's native epoll transport: readiness-based, the fallback when io_uring is not allowed. */
public final class EpollTransportPlugin implements TransportPlugin {

  @Override
  public String name() {
    return "epoll";
  }

  @Override
  public int preference() {
    return 10;
  }

  @Override
  public boolean isAvailable() {
    return Epoll.isAvailable();
  }

  @Override
  public String unavailabilityCause() {
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? null : String.valueOf(cause);
  }

  @Override
  public List<ConfigError> validate(JsonObject options, String path) {
    return options.fieldNames().stream()
        .sorted()
        .map(key -> new ConfigError(path + "." + key, "unknown key (the epoll transport takes no options)"))
        .toList();
  }

  @Override
  public Transport create(JsonObject options) {
    return new TransportInternal("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause(), new Spi());
  }

  /**
   * Vert.x's epoll transport, with Ringway's {@link AcceptedChannels} hook on the servers it configures,
   * without the {@link KernelDefaultOptions} it would set on every socket, and with the
   * {@link ListenerInheritedOptions} set once on the listening socket instead of on every accepted one; its servers and
   * clients share a {@link CompactRecvByteBufAllocator} each; its loops run behind a {@link GuardedEpollHandler}.
   */
  private static final class Spi extends EpollTransport {
    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return GuardedEpollHandler.factory(super.ioHandlerFactory());
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(options, domainSocket, bootstrap);
      KernelDefaultOptions.drop(bootstrap.config().childOptions(), option -> bootstrap.childOption(option, null));
      AcceptedChannels.install(bootstrap);
      ListenerInheritedOptions.move(bootstrap);
      CompactRecvByteBufAllocator.install(bootstrap);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      super.configure(options, connectTimeout, domainSocket, bootstrap);
      KernelDefaultOptions.drop(bootstrap.config().options(), option -> bootstrap.option(option, null));
      CompactRecvByteBufAllocator.install(bootstrap);
    }
  }

  @Override
  public boolean drives(IoEventLoop loop) {
    // Not isIoType(EpollIoHandler.class): that compares the handler's exact class, and the guard wraps Netty's.
    return loop.isCompatible(EpollIoHandle.class);
  }
}
