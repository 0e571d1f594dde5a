package io.ringway.testkit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Code a test thread runs on a Vert.x context (an event loop), with its outcome handed back to the test. */
public final class OnContext {

  private OnContext() {
  }

  /**
   * Runs {@code action} on {@code context} and completes with what the future it returns completes with; an
   * exception thrown by {@code action} fails the result too.
   */
  public static <T> CompletableFuture<T> call(Context context, Callable<Future<T>> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        action.call().onComplete(done -> {
          if (done.succeeded()) {
            result.complete(done.result());
          } else {
            result.completeExceptionally(done.cause());
          }
        });
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }
}
