package io.ringway.tcp;

import io.ringway.spi.TransportPlugin;
import io.ringway.testkit.Capabilities;
import io.ringway.transport.epoll.EpollTransportPlugin;
import io.ringway.transport.nio.NioTransportPlugin;
import io.ringway.transport.uring.IoUringTransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

/** The proxy's tests' Vert.x on one named transport plugin. */
public final class TestTransports {

  private TestTransports() {
  }

  /** A Vert.x with {@code eventLoops} loops on {@code transport}; skips (fails under CI) when the machine cannot run it. */
  public static Vertx vertx(String transport, int eventLoops) {
    TransportPlugin plugin = switch (transport) {
      case "io_uring" -> new IoUringTransportPlugin();
      case "epoll" -> new EpollTransportPlugin();
      case "nio" -> new NioTransportPlugin();
      default -> throw new IllegalArgumentException(transport);
    };
    Capabilities.require(transport, plugin.isAvailable(), plugin.unavailabilityCause());
    return Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(eventLoops))
        .withTransport(plugin.create(new JsonObject()))
        .build();
  }
}
