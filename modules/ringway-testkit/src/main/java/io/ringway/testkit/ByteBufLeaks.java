package io.ringway.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the buffers Netty's leak detector finds garbage-collected unreleased while it watches, with the detector at
 * the paranoid level (every buffer tracked) until {@link #close}. The detector is {@code AbstractByteBuf}'s own,
 * reached by reflection: Netty offers no other hook for it.
 */
public final class ByteBufLeaks implements AutoCloseable {

  private final ResourceLeakDetector<ByteBuf> detector;
  private final ResourceLeakDetector.Level before;
  private final AtomicInteger leaks = new AtomicInteger();

  @SuppressWarnings("unchecked")
  private ByteBufLeaks() throws ReflectiveOperationException, InterruptedException {
    Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    field.setAccessible(true);
    detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    // What earlier code leaked and is collectable now is reported before the count starts.
    collect();
    detector.setLeakListener((type, records) -> leaks.incrementAndGet());
  }

  /** Starts counting. */
  public static ByteBufLeaks watch() throws ReflectiveOperationException, InterruptedException {
    return new ByteBufLeaks();
  }

  /** Leaks found once what is unreachable now was collected. */
  public int afterGc() throws InterruptedException {
    collect();
    return leaks.get();
  }

  /** Collects, then has the detector track a few buffers: it reports what it found collected when it tracks one. */
  private static void collect() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      for (int j = 0; j < 4; j++) {
        Unpooled.directBuffer(16).release();
      }
    }
  }

  @Override
  public void close() {
    detector.setLeakListener(null);
    ResourceLeakDetector.setLevel(before);
  }
}
