package io.ringway.transport.nio;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.ringway.spi.AcceptedChannels;
import io.ringway.spi.CompactRecvByteBufAllocator;
import io.ringway.spi.ConfigError;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.List;

/** JDK NIO selectors: the fallback that runs everywhere, with one syscall per readiness and per read/write. */
public final class NioTransportPlugin implements TransportPlugin {

  @Override
  public String name() {
    return "nio";
  }

  @Override
  public int preference() {
    return 100;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String unavailabilityCause() {
    return null;
  }

  @Override
  public List<ConfigError> validate(JsonObject options, String path) {
    return options.fieldNames().stream()
        .sorted()
        .map(key -> new ConfigError(path + "." + key, "unknown key (the nio transport takes no options)"))
        .toList();
  }

  @Override
  public Transport create(JsonObject options) {
    return new TransportInternal("nio", true, null, new Spi());
  }

  /**
   * Vert.x's NIO transport, with Ringway's {@link AcceptedChannels} hook on the servers it configures and a
   * {@link CompactRecvByteBufAllocator} on its servers and clients. A
   * subclass, not a wrapper: Vert.x tells NIO from native transports with {@code instanceof NioTransport}.
   */
  private static final class Spi extends NioTransport {
    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      super.configure(options, domainSocket, bootstrap);
      AcceptedChannels.install(bootstrap);
      CompactRecvByteBufAllocator.install(bootstrap);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      super.configure(options, connectTimeout, domainSocket, bootstrap);
      CompactRecvByteBufAllocator.install(bootstrap);
    }
  }

  @Override
  public boolean drives(IoEventLoop loop) {
    return loop.isIoType(NioIoHandler.class);
  }
}
