package io.ringway.launcher;

import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.VerticleProvider;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A data-plane-shaped verticle for tests: one instance per event loop, all sharing one TCP port, each
 * recording every thread its code ever ran on (start, timers, accepted connections, their reads).
 */
public final class LoopProbeVerticleProvider implements VerticleProvider {

  static final Map<Integer, Set<String>> THREADS_BY_INSTANCE = new ConcurrentHashMap<>();
  static final AtomicInteger CONNECTIONS = new AtomicInteger();
  static volatile int port;
  private static final AtomicInteger NEXT_ID = new AtomicInteger();

  @Override
  public String name() {
    return "loop-probe";
  }

  @Override
  public boolean perEventLoop() {
    return true;
  }

  @Override
  public Deployable create(ConfigSnapshot snapshot) {
    int id = NEXT_ID.incrementAndGet();
    return new VerticleBase() {
      @Override
      public Future<?> start() {
        Set<String> seen = THREADS_BY_INSTANCE.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet());
        seen.add(Thread.currentThread().getName());
        vertx.setPeriodic(5, tick -> seen.add(Thread.currentThread().getName()));
        return vertx.createNetServer()
            .connectHandler(socket -> {
              seen.add(Thread.currentThread().getName());
              CONNECTIONS.incrementAndGet();
              socket.handler(data -> {
                seen.add(Thread.currentThread().getName());
                socket.write(data);
              });
            })
            .listen(port, "127.0.0.1");
      }
    };
  }
}
