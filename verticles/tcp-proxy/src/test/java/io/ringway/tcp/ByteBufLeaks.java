package io.ringway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the buffers Netty's leak detector finds garbage-collected unreleased while it watches (this module's tests
 * run it at the paranoid level: every buffer is tracked). The detector is {@code AbstractByteBuf}'s own, reached by
 * reflection: Netty offers no other hook for it.
 */
final class ByteBufLeaks implements AutoCloseable {

  private final ResourceLeakDetector<ByteBuf> detector;
  private final AtomicInteger leaks = new AtomicInteger();

  @SuppressWarnings("unchecked")
  private ByteBufLeaks() throws ReflectiveOperationException {
    Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    field.setAccessible(true);
    detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
    detector.setLeakListener((type, records) -> leaks.incrementAndGet());
  }

  static ByteBufLeaks watch() throws ReflectiveOperationException {
    return new ByteBufLeaks();
  }

  /**
   * Leaks found once what is unreachable now was collected: the detector reports them when it tracks its next buffer,
   * so a few are made after each collection.
   */
  int afterGc() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 4; j++) {
        Unpooled.directBuffer(16).release();
      }
    }
    return leaks.get();
  }

  @Override
  public void close() {
    detector.setLeakListener(null);
  }
}
