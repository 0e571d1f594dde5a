package io.ringway.admin.impl;

import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.ringway.spi.TransportPlugin;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * This node's event loops as the dashboard shows them: for each, the transport that really drives it
 * (asked of the loop itself through every {@link TransportPlugin} found, not taken from config) and the
 * tasks waiting on it.
 */
public final class EventLoops {

  private final Vertx vertx;
  private final List<TransportPlugin> transports;
  private final List<String> threads;

  private EventLoops(Vertx vertx, List<TransportPlugin> transports, List<String> threads) {
    this.vertx = vertx;
    this.transports = transports;
    this.threads = threads;
  }

  /**
   * Finds the transport plugins on the class path and asks each loop its thread's name (a loop keeps its
   * thread for life; the names do not follow the loops' order). Blocks on both: not on an event loop, and
   * not from an admin that runs on one of these loops before they run.
   */
  public static EventLoops load(Vertx vertx) throws Exception {
    List<String> threads = new ArrayList<>();
    for (EventExecutor executor : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      threads.add(executor.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS));
    }
    return new EventLoops(vertx, ServiceLoader.load(TransportPlugin.class).stream().map(ServiceLoader.Provider::get).toList(),
        threads);
  }

  /** {@code [{"loop":0,"thread":"vert.x-eventloop-thread-1","transport":"io_uring","pendingTasks":0},..]}; safe on any thread. */
  JsonArray describe() {
    JsonArray loops = new JsonArray();
    int index = 0;
    for (EventExecutor executor : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      JsonObject loop = new JsonObject().put("loop", index).put("thread", index < threads.size() ? threads.get(index) : null)
          .put("transport", transport(executor));
      index++;
      if (executor instanceof SingleThreadEventExecutor single) {
        loop.put("pendingTasks", single.pendingTasks());
      }
      loops.add(loop);
    }
    return loops;
  }

  private String transport(EventExecutor executor) {
    if (executor instanceof IoEventLoop loop) {
      for (TransportPlugin plugin : transports) {
        if (plugin.drives(loop)) {
          return plugin.name();
        }
      }
      if (loop.isIoType(NioIoHandler.class)) {
        return "nio"; // Netty's own, always there, even without Ringway's plugin (an admin run on its own)
      }
    }
    return executor.getClass().getSimpleName();
  }
}
