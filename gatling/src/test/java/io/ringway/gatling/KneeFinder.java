package io.ringway.gatling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the knee of a stepped open-model ramp: the arrival rate at which p99 crosses a threshold. Levels run
 * back to back, {@code levelLength} each; a request belongs to the level in force when its virtual user
 * started. A level is judged once it is over (plus a grace for its last responses): p99 of its response
 * times above the threshold, or more than 1 % failed, makes it "over". The knee is the first level of two
 * over in a row (a lone spike, a GC pause or a neighbour's burst, is reported but not taken for the knee),
 * and the load can stop after the second. Level 0 is the load generator's own warm-up (its first requests open
 * the shared connections and run in its cold JVM): reported, never judged.
 */
final class KneeFinder {

  private static final long GRACE_NANOS = 1_000_000_000L;
  private static final double MAX_FAILED = 0.01;

  private final double[] rates;
  private final long levelNanos;
  private final int thresholdMillis;
  private final AtomicLong start = new AtomicLong();
  private final Level[] levels;
  private int judged;
  private int knee = -1;

  KneeFinder(double[] rates, Duration levelLength, int thresholdMillis) {
    this.rates = rates.clone();
    this.levelNanos = levelLength.toNanos();
    this.thresholdMillis = thresholdMillis;
    this.levels = new Level[rates.length];
    for (int i = 0; i < levels.length; i++) {
      levels[i] = new Level();
    }
  }

  /** The level a virtual user starting now belongs to; the first user to ask starts the clock. */
  int levelNow() {
    long now = System.nanoTime();
    start.compareAndSet(0, now);
    return (int) Math.min(levels.length - 1, (now - start.get()) / levelNanos);
  }

  /** Request name of a level, so Gatling's report shows each level's percentiles too. */
  String name(int level) {
    return String.format(Locale.ROOT, "GET / at %04.0f users/s", rates[level]);
  }

  void ok(int level, int responseMillis) {
    levels[level].add(responseMillis);
    judgeFinishedLevels();
  }

  void failed(int level) {
    levels[level].fail();
    judgeFinishedLevels();
  }

  /** Whether the knee is found: the load generator may stop. */
  synchronized boolean found() {
    return knee >= 0;
  }

  /** The per-level table and the knee; call after the run. */
  synchronized String report() {
    judged = levels.length;
    for (int i = 1; i < levels.length && knee < 0; i++) {
      if (i + 1 < levels.length && over(i) && over(i + 1)) {
        knee = i;
      }
    }
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "ringway-load: open-model ramp, levels of %d s, knee threshold p99 > %d ms (or > 1 %% failed)%n",
        levelNanos / 1_000_000_000L, thresholdMillis));
    out.append(String.format(Locale.ROOT, "  %10s %9s %9s %7s %7s %7s %7s %7s%n",
        "users/s", "requests", "req/s", "failed", "p50", "p95", "p99", "max"));
    for (int i = 0; i < levels.length; i++) {
      Level level = levels[i];
      int[] sorted = level.sorted();
      int failed = level.failed();
      if (sorted.length == 0 && failed == 0) {
        continue;
      }
      out.append(String.format(Locale.ROOT, "  %10.0f %9d %9.0f %7d %7d %7d %7d %7d%s%n", rates[i],
          sorted.length + failed, (sorted.length + failed) * 1e9 / levelNanos, failed,
          percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1],
          i == 0 ? "  (warm-up)" : i == knee ? "  <- knee" : over(i) ? "  (over)" : ""));
    }
    out.append(knee >= 0
        ? String.format(Locale.ROOT, "  knee: %.0f users/s (p99 crossed %d ms and stayed above at the next level)",
            rates[knee], thresholdMillis)
        : String.format(Locale.ROOT, "  knee: none up to %.0f users/s (no two levels in a row over %d ms)",
            rates[rates.length - 1], thresholdMillis));
    return out.toString();
  }

  private synchronized void judgeFinishedLevels() {
    long now = System.nanoTime();
    while (judged < levels.length && now - start.get() > (judged + 1) * levelNanos + GRACE_NANOS) {
      if (knee < 0 && judged >= 2 && over(judged - 1) && over(judged)) {
        knee = judged - 1;
      }
      judged++;
    }
  }

  private boolean over(int level) {
    int[] sorted = levels[level].sorted();
    int total = sorted.length + levels[level].failed();
    return total > 0 && (percentile(sorted, 99) > thresholdMillis || levels[level].failed() > MAX_FAILED * total);
  }

  /** Nearest-rank percentile, as Gatling reports them (to the millisecond). */
  private static int percentile(int[] sorted, int percent) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static final class Level {
    private final List<Integer> millis = new ArrayList<>();
    private int failed;

    synchronized void add(int responseMillis) {
      millis.add(responseMillis);
    }

    synchronized void fail() {
      failed++;
    }

    synchronized int failed() {
      return failed;
    }

    synchronized int[] sorted() {
      int[] values = millis.stream().mapToInt(Integer::intValue).toArray();
      Arrays.sort(values);
      return values;
    }
  }
}
