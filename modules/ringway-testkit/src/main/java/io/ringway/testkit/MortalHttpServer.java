package io.ringway.testkit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1 backend on loopback that answers its name after a short delay (so requests are in flight on it
 * under load) and can die the way a SIGKILLed process does: the listening socket closes, so new connects are
 * refused, and every open connection is reset (SO_LINGER 0), with whatever requests it carried unanswered.
 */
public final class MortalHttpServer implements AutoCloseable {

  private final String name;
  private final HttpServer server;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final int port;
  private volatile boolean dead;

  /** Starts on a free port of 127.0.0.1; each answer is delayed by {@code delayMillis} (0: at once). */
  public MortalHttpServer(Vertx vertx, String name, long delayMillis) throws Exception {
    this.name = name;
    this.server = vertx.createHttpServer()
        .connectionHandler(connection -> {
          connections.add(connection);
          connection.closeHandler(v -> connections.remove(connection));
        })
        .requestHandler(request -> {
          received.incrementAndGet();
          if (delayMillis <= 0) {
            request.response().end(name);
            answered.incrementAndGet();
          } else {
            vertx.setTimer(delayMillis, id -> {
              if (!dead) {
                request.response().end(name);
                answered.incrementAndGet();
              }
            });
          }
        })
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    this.port = server.actualPort();
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** Request heads received so far. */
  public int received() {
    return received.get();
  }

  /** Responses sent so far. */
  public int answered() {
    return answered.get();
  }

  /** Dies at once: no more answers, the listener gone and every connection reset. Returns the connections reset. */
  public int kill() throws Exception {
    dead = true;
    List<HttpConnection> open = List.copyOf(connections);
    for (HttpConnection connection : open) {
      Channel channel = ((ConnectionBase) connection).channel();
      // SO_LINGER 0 turns close into an RST, as the kernel does for a killed process's sockets with unread data.
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
      channel.close();
    }
    server.close().await(10, TimeUnit.SECONDS);
    return open.size();
  }

  @Override
  public void close() throws Exception {
    if (!dead) {
      kill();
    }
  }
}
