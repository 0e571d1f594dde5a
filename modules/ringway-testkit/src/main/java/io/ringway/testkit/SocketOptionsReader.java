package io.ringway.testkit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
    // Held until the end: an unreachable client is shut down by Vert.x's cleaner, its connection with it.
    NetClient dialler = vertx.createNetClient(client);
    try {
      NetSocket dialled = dialler.connect(listening.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
      CompletableFuture<Map<String, Object>> fromClient = new CompletableFuture<>();
      // Read on the socket's own loop, as the channel config expects; a failure there must reach this thread.
      channel(dialled).eventLoop().execute(() -> {
        try {
          fromClient.complete(values(channel(dialled), options));
        } catch (RuntimeException e) {
          fromClient.completeExceptionally(e);
        }
      });
      return new Read(await(accepted, "the server's end", dialled), await(fromClient, "the client's end", dialled));
    } finally {
      dialler.close().await(10, TimeUnit.SECONDS);
      listening.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A timeout says which end was not read and what state the connection was in, instead of only that it timed out. */
  private static Map<String, Object> await(CompletableFuture<Map<String, Object>> values, String end, NetSocket dialled)
      throws Exception {
    try {
      return values.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      Channel channel = channel(dialled);
      throw new IllegalStateException("options of " + end + " not read within 10 s; the dialled connection "
          + channel.localAddress() + " -> " + channel.remoteAddress() + " is " + (channel.isActive() ? "active"
          : channel.isOpen() ? "open, not active" : "closed"), e);
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
