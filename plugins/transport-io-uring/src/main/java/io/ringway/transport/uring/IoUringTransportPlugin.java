package io.ringway.transport.uring;

import io.netty.channel.IoEventLoop;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.ringway.spi.ConfigError;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty 4.2's io_uring transport: completion-based I/O, one ring per event loop, the default.
 * Unavailable when the kernel lacks io_uring or forbids it ({@code kernel.io_uring_disabled}, seccomp).
 */
public final class IoUringTransportPlugin implements TransportPlugin {

  @Override
  public String name() {
    return "io_uring";
  }

  @Override
  public int preference() {
    return 0;
  }

  @Override
  public boolean isAvailable() {
    return IoUring.isAvailable();
  }

  @Override
  public String unavailabilityCause() {
    Throwable cause = IoUring.unavailabilityCause();
    return cause == null ? null : String.valueOf(cause);
  }

  @Override
  public List<ConfigError> validate(JsonObject options, String path) {
    return IoUringOptions.errors(options, path);
  }

  @Override
  public Transport create(JsonObject options) {
    List<ConfigError> errors = new ArrayList<>();
    IoUringOptions tunables = IoUringOptions.read(options, "transportOptions.io_uring", errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid io_uring options: " + errors);
    }
    return new TunedIoUringTransport(tunables);
  }

  @Override
  public boolean drives(IoEventLoop loop) {
    return loop.isIoType(IoUringIoHandler.class);
  }
}
