package io.ringway.cluster.impl;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Coalesces refreshes per key: at most one query runs per key, and a change seen while it runs makes
 * it run once more, so the last published set always reflects the last change. Used from one
 * verticle context only, so it needs no locks.
 */
final class RefreshQueue {

  private final Map<String, Long> changes = new HashMap<>();
  private final Map<String, Boolean> running = new HashMap<>();

  /** Runs {@code query} for {@code key} now, or once more after the one running finishes. */
  void request(String key, Supplier<Future<Void>> query) {
    changes.merge(key, 1L, Long::sum);
    if (running.putIfAbsent(key, Boolean.TRUE) == null) {
      run(key, query);
    }
  }

  private void run(String key, Supplier<Future<Void>> query) {
    long seen = changes.get(key);
    query.get().onComplete(done -> {
      if (changes.get(key) != seen) {
        run(key, query);
      } else {
        running.remove(key);
      }
    });
  }
}
