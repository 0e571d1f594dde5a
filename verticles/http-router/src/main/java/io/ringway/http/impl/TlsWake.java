package io.ringway.http.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetServerImpl;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import java.util.function.Consumer;

/**
 * Builds a parked TLS keep-alive connection's HTTP/1 connection again, behind the TLS handler it kept (issue 17).
 * A cleartext connection wakes through its server's accept path; a TLS one cannot, since that path begins with a
 * new handshake. After a handshake Vert.x wraps the channel in a {@code NetSocketImpl} and gives it to the HTTP
 * server's connect handler, which builds the HTTP/1 pipeline in its place: this does those two steps, nothing else.
 * The connect handler is found once, in the server's private {@code tcpServer} field; if Vert.x moved it, TLS
 * connections do not park (the listener logs nothing, it only holds more memory). Loop thread only.
 */
final class TlsWake implements Consumer<Channel> {

  private static final Field TCP_SERVER = tcpServerField();

  private final HttpServer server;
  private Handler<NetSocket> connectHandler;
  private ContextInternal context;

  TlsWake(HttpServer server) {
    this.server = server;
  }

  /**
   * Whether this can wake {@code channel}, about to park: its TLS handshake done, its HTTP/1 connection Vert.x's;
   * the first one also tells this the server's context.
   */
  boolean canWake(Channel channel, ChannelHandler vertxHandler) {
    if (!(channel.pipeline().get(SslHandler.class) instanceof SslHandler tls) || !tls.handshakeFuture().isSuccess()
        || !(vertxHandler instanceof VertxHandler<?> handler)
        || !(handler.getConnection() instanceof Http1xServerConnection connection)) {
      return false;
    }
    if (connectHandler == null) {
      connectHandler = connectHandler(server);
      context = connection.context();
    }
    // The wake builds the connection at once, inside the read that woke it: only on the server's own loop.
    return connectHandler != null && context.nettyEventLoop() == channel.eventLoop();
  }

  @Override
  public void accept(Channel channel) {
    VertxHandler<NetSocketImpl> socket = VertxHandler.create(ctx -> new NetSocketImpl(context, ctx, null, null, null,
        false));
    channel.pipeline().addLast("handler", socket);
    context.emit(socket.getConnection(), connectHandler);
    // The HTTP/1 connection took the socket's place; the socket's close listener would stay, one per wake.
    KeepAliveParking.forgetCloseListener(channel, socket);
  }

  private static Handler<NetSocket> connectHandler(HttpServer server) {
    try {
      return TCP_SERVER != null && TCP_SERVER.get(server) instanceof NetServerImpl tcp ? tcp.connectHandler() : null;
    } catch (IllegalAccessException | IllegalArgumentException e) {
      return null;
    }
  }

  private static Field tcpServerField() {
    try {
      Field field = Class.forName("io.vertx.core.http.impl.HttpServerImpl").getDeclaredField("tcpServer");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
