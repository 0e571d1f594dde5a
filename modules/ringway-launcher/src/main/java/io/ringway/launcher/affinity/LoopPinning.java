package io.ringway.launcher.affinity;

import io.netty.util.concurrent.EventExecutor;
import io.ringway.spi.LoopPlacement;
import io.ringway.spi.config.CpuList;
import io.ringway.spi.config.EventLoopAffinity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Applies {@code eventLoops.affinity} to every event loop of a Vert.x instance: each loop runs one task that
 * sets its own thread's CPU mask (a syscall of a few microseconds, so it is fine on the loop), then reports
 * where it runs. {@code none} gives a loop back every CPU the process may use, so a reload from
 * {@code auto} to {@code none} undoes the pinning.
 */
public final class LoopPinning {

  private static final String EVENT_LOOP_THREAD = "vert.x-eventloop-thread-";

  private LoopPinning() {
  }

  /**
   * Pins loop {@code i} (Vert.x's {@code vert.x-eventloop-thread-i}) as {@code affinity} says.
   *
   * @return where each loop runs afterwards, in loop order; failed with an {@link AffinityException} naming the
   *     first loop the kernel refused (the loops before it stay pinned)
   */
  public static Future<List<LoopPlacement>> apply(Vertx vertx, EventLoopAffinity affinity) {
    List<Integer> allowed = CpuList.allowed();
    List<Future<LoopPlacement>> placed = new ArrayList<>();
    int position = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      int fallbackIndex = position++;
      Promise<LoopPlacement> done = Promise.promise();
      loop.execute(() -> {
        String thread = Thread.currentThread().getName();
        // Vert.x numbers its loop threads in the order they first ran, not in the group's order: the name is
        // what /info and thread dumps show, so loop i is the thread named ...-i.
        int cpu = affinity.cpuOf(indexOf(thread, fallbackIndex), allowed);
        try {
          ThreadAffinity.restrictCurrentThread(cpu < 0 ? allowed : List.of(cpu));
          done.complete(new LoopPlacement(thread, CpuList.format(ThreadAffinity.currentThreadCpus())));
        } catch (AffinityException e) {
          done.fail(new AffinityException("eventLoops.affinity: " + thread + ": " + e.getMessage()));
        }
      });
      placed.add(done.future());
    }
    return Future.all(placed).map(all -> placed.stream().map(Future::result)
        .sorted(Comparator.comparingInt((LoopPlacement loop) -> indexOf(loop.thread(), Integer.MAX_VALUE))).toList());
  }

  /** N of {@code vert.x-eventloop-thread-N}, or {@code fallback} for a thread named otherwise. */
  static int indexOf(String thread, int fallback) {
    int dash = thread.lastIndexOf('-');
    String digits = thread.substring(dash + 1);
    return thread.startsWith(EVENT_LOOP_THREAD) && !digits.isEmpty() && digits.length() < 6
        && digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : fallback;
  }
}
