package io.ringway.http;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for state that settles asynchronously. */
public final class Eventually {

  private Eventually() {
  }

  public static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(10);
    }
  }
}
