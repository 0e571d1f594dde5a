package io.ringway.tcp.impl;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Fires once nothing moved for a whole window. One Vert.x timer per connection, re-armed for what
 * is left of the window when it fires early, so a busy connection costs one nanoTime per read
 * rather than a timer reset per read.
 */
final class IdleTimer {

  private final Vertx vertx;
  private final long windowNanos;
  private final Runnable onIdle;
  private long lastActivityNanos;
  private long timer = -1;

  /** @param window zero for never */
  IdleTimer(Vertx vertx, Duration window, Runnable onIdle) {
    this.vertx = vertx;
    this.windowNanos = window.toNanos();
    this.onIdle = onIdle;
  }

  /** Starts the window; call on the connection's loop. */
  void start() {
    lastActivityNanos = System.nanoTime();
    if (windowNanos > 0) {
      arm(windowNanos);
    }
  }

  void touch() {
    lastActivityNanos = System.nanoTime();
  }

  void cancel() {
    vertx.cancelTimer(timer);
    timer = -1;
  }

  private void arm(long delayNanos) {
    timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos) + 1), id -> check());
  }

  private void check() {
    timer = -1;
    long idle = System.nanoTime() - lastActivityNanos;
    if (idle >= windowNanos) {
      onIdle.run();
    } else {
      arm(windowNanos - idle);
    }
  }
}
