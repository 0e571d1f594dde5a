package io.ringway.testkit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads socket options off a real accepted and a real dialled connection: what the kernel holds for those
 * sockets, whoever set it (the native transports' channel configs answer {@code getOption} with a
 * {@code getsockopt}), so a test sees whether an option moved to the listener really reaches accepted sockets.
 */
public final class SocketOptionsReader {

  /** Option name (without Netty's {@code Class#} prefix) to the value read, for each side. */
  public record Read(Map<String, Object> accepted, Map<String, Object> dialled) {
  }

  private SocketOptionsReader() {
  }

  /**
   * Connects a client made with {@code client} to a server made with {@code server} on loopback, reads
   * {@code options} on both ends of the connection, and closes both. Blocks the calling (test) thread.
   */
  public static Read read(Vertx vertx, NetServerOptions server, NetClientOptions client, List<ChannelOption<?>> options)
      throws Exception {
    CompletableFuture<Map<String, Object>> accepted = new CompletableFuture<>();
    var listening = vertx.createNetServer(new NetServerOptions(server).setHost("127.0.0.1").setPort(0))
        .connectHandler(socket -> {
          try {
            accepted.complete(values(channel(socket), options));
          } catch (RuntimeException e) {
            accepted.completeExceptionally(e);
          }
        });
    listening.listen().await(10, TimeUnit.SECONDS);
    try {
      NetSocket dialled = vertx.createNetClient(client).connect(listening.actualPort(), "127.0.0.1")
          .await(10, TimeUnit.SECONDS);
      CompletableFuture<Map<String, Object>> fromClient = new CompletableFuture<>();
      // Read on the socket's own loop, as the channel config expects.
      channel(dialled).eventLoop().execute(() -> fromClient.complete(values(channel(dialled), options)));
      Read read = new Read(accepted.get(10, TimeUnit.SECONDS), fromClient.get(10, TimeUnit.SECONDS));
      dialled.close();
      return read;
    } finally {
      listening.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Channel channel(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel();
  }

  private static Map<String, Object> values(Channel channel, List<ChannelOption<?>> options) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ChannelOption<?> option : options) {
      values.put(option.name().substring(option.name().lastIndexOf('#') + 1), channel.config().getOption(option));
    }
    return values;
  }
}
