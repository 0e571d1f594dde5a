package io.ringway.transport.epoll;

import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.ringway.spi.ConfigError;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.json.JsonObject;
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
    return Transport.EPOLL;
  }

  @Override
  public boolean drives(IoEventLoop loop) {
    return loop.isIoType(EpollIoHandler.class);
  }
}
