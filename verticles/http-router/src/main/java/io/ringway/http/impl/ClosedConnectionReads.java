package io.ringway.http.impl;

import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import java.util.Deque;

/**
 * Releases what a Vert.x connection read but had not handled when it closed. Vert.x 5.0.10 queues the messages a
 * paused connection reads ({@code VertxConnection}'s pending deque: request bodies held while a request waits,
 * response bodies held while its client is slow) and drops that queue at close without releasing it, so every such
 * buffer leaked its direct memory (282 leaks in one run of the resilience, failure-persistence and WebSocket tests under
 * Netty's paranoid detector). The deque is private: reached by reflection, once; without it (another Vert.x) nothing
 * is done.
 */
final class ClosedConnectionReads {

  private static final Field PENDING = pendingField();

  private ClosedConnectionReads() {
  }

  private static Field pendingField() {
    try {
      Field field = VertxConnection.class.getDeclaredField("pending");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException notThisVertx) {
      return null;
    }
  }

  /** Call once the channel's inactive event went through Vert.x's handler: its connection handled its close. */
  static void release(ChannelPipeline pipeline) {
    if (PENDING == null || !(pipeline.get("handler") instanceof VertxHandler<?> handler)
        || !(handler.getConnection() instanceof VertxConnection connection)) {
      return;
    }
    try {
      if (PENDING.get(connection) instanceof Deque<?> pending) {
        for (Object message; (message = pending.poll()) != null; ) {
          ReferenceCountUtil.release(message);
        }
      }
    } catch (IllegalAccessException notThisVertx) {
      // setAccessible succeeded above, so this does not happen; nothing to release then.
    }
  }
}
