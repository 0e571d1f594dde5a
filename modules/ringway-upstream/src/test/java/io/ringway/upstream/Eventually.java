package io.ringway.upstream;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition on the caller's context until it holds, then runs the next step. Event-bus
 * consumers on one context have no delivery order among themselves, so a test that saw a message
 * waits for the cluster to have seen it too; the test context's timeout bounds the wait.
 */
final class Eventually {

  private Eventually() {
  }

  static void then(Vertx vertx, VertxTestContext test, BooleanSupplier condition, Runnable next) {
    vertx.setPeriodic(10, id -> {
      try {
        if (condition.getAsBoolean()) {
          vertx.cancelTimer(id);
          next.run();
        }
      } catch (Throwable failure) {
        vertx.cancelTimer(id);
        test.failNow(failure);
      }
    });
  }
}
