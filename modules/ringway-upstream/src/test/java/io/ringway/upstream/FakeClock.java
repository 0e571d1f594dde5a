package io.ringway.upstream;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when the test says, so ejection timing is exact. */
final class FakeClock implements LongSupplier {

  private long now = 1_000_000_000L;

  @Override
  public long getAsLong() {
    return now;
  }

  void advance(Duration duration) {
    now += duration.toNanos();
  }

  void advanceNanos(long nanos) {
    now += nanos;
  }
}
