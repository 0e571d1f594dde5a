package io.ringway.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the buffers Netty's leak detector finds garbage-collected unreleased while it watches, with the detector at
 * the paranoid level (every buffer tracked) until {@link #close}. The detector is {@code AbstractByteBuf}'s own,
 * reached by reflection: Netty offers no other hook for it. One listener, installed once, serves every watch.
 */
public final class ByteBufLeaks implements AutoCloseable {

  /** Leak reports kept for a failure's message: the latest few, each with its access records. */
  private static final int KEPT_REPORTS = 3;
  private static final AtomicInteger FOUND = new AtomicInteger();
  /** The latest reports, each with its number in {@link #FOUND}'s count. */
  private static final Deque<Report> REPORTS = new ArrayDeque<>();
  private static boolean listening;

  private final ResourceLeakDetector.Level before;
  private final int start;

  private ByteBufLeaks(boolean collectFirst) throws ReflectiveOperationException, InterruptedException {
    listen();
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    if (collectFirst) {
      // What earlier code leaked and is collectable now is reported before the count starts.
      collect();
    }
    start = FOUND.get();
  }

  /** Starts counting, once what earlier code leaked was reported. */
  public static ByteBufLeaks watch() throws ReflectiveOperationException, InterruptedException {
    return new ByteBufLeaks(true);
  }

  /** Starts counting at once: the caller collected what came before (the gate after the class before). */
  static ByteBufLeaks watchFromNow() throws ReflectiveOperationException, InterruptedException {
    return new ByteBufLeaks(false);
  }

  /** Leaks found once what is unreachable now was collected. */
  public int afterGc() throws InterruptedException {
    collect();
    return FOUND.get() - start;
  }

  /** The latest reports of leaks this watch counted, with where each buffer was last touched. */
  List<String> reports() {
    synchronized (REPORTS) {
      return REPORTS.stream().filter(report -> report.number() > start).map(Report::text).toList();
    }
  }

  private record Report(int number, String text) {
  }

  @SuppressWarnings("unchecked")
  private static synchronized void listen() throws ReflectiveOperationException {
    if (listening) {
      return;
    }
    Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    field.setAccessible(true);
    ((ResourceLeakDetector<ByteBuf>) field.get(null)).setLeakListener((type, records) -> {
      synchronized (REPORTS) {
        REPORTS.addLast(new Report(FOUND.incrementAndGet(), type + records));
        if (REPORTS.size() > KEPT_REPORTS) {
          REPORTS.removeFirst();
        }
      }
    });
    listening = true;
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
    ResourceLeakDetector.setLevel(before);
  }
}
