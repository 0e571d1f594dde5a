package io.ringway.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import java.util.List;
import java.util.Map;

/** The socket options a transport plugin's Vert.x transport puts on the sockets it accepts and dials. */
public final class SocketOptionsProbe {

  /**
   * Option names without Netty's {@code Class#} prefix ({@code TCP_NODELAY}).
   *
   * @param accepted set on every accepted connection of a server configured with the given options
   * @param dialled set on every connection a client configured with the given options opens
   */
  public record Names(List<String> accepted, List<String> dialled) {
  }

  private SocketOptionsProbe() {
  }

  /** What {@code plugin}'s transport, built with no options, configures for these server and client options. */
  public static Names of(TransportPlugin plugin, NetServerOptions server, NetClientOptions client) {
    io.vertx.core.spi.transport.Transport transport = plugin.create(new JsonObject()).implementation();
    // A child handler, as Vert.x sets one before the transport configures the bootstrap.
    ServerBootstrap serverBootstrap = new ServerBootstrap().childHandler(new ChannelInboundHandlerAdapter());
    transport.configure(server, false, serverBootstrap);
    Bootstrap clientBootstrap = new Bootstrap();
    transport.configure(client, 1000, false, clientBootstrap);
    return new Names(names(serverBootstrap.config().childOptions()), names(clientBootstrap.config().options()));
  }

  private static List<String> names(Map<ChannelOption<?>, Object> options) {
    return options.keySet().stream().map(o -> o.name().substring(o.name().lastIndexOf('#') + 1)).toList();
  }
}
