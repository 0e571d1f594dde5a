package io.ringway.spi;

import io.netty.channel.IoEventLoop;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.util.List;

/**
 * A way to run Vert.x event loops (io_uring, epoll, NIO), found by {@link java.util.ServiceLoader}.
 * Config names it with {@code transport: <name>}; {@code auto} tries plugins in ascending
 * {@link #preference()} and takes the first available one.
 */
public interface TransportPlugin {

  /** The name config uses: {@code io_uring}, {@code epoll}, {@code nio}. */
  String name();

  /** Order for {@code auto}: lower is tried first. */
  int preference();

  /** Whether this kernel and JVM can run the transport. */
  boolean isAvailable();

  /** Why {@link #isAvailable()} is false (the native cause), or {@code null} when available. */
  String unavailabilityCause();

  /**
   * Checks this plugin's tunables ({@code transportOptions.<name>} in config).
   *
   * @param options the plugin's options object, empty when config gives none
   * @param path the options' path in the document, prefixed to every error
   * @return every error found; empty when the options are valid
   */
  List<ConfigError> validate(JsonObject options, String path);

  /**
   * Builds the Vert.x transport with these tunables. Only called when {@link #isAvailable()} is true
   * and {@link #validate} found nothing.
   */
  Transport create(JsonObject options);

  /** Whether this event loop runs on this plugin's Netty {@code IoHandler}: the proof of what is in use. */
  boolean drives(IoEventLoop loop);
}
