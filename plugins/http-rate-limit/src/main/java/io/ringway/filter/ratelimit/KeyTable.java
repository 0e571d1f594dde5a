package io.ringway.filter.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A filter's per-key state on one loop, bounded: in access order, so when it is full the entry idle longest goes
 * (unless {@code pinned} says it may not yet), which bounds memory under a flood of new keys.
 */
final class KeyTable<V> extends LinkedHashMap<String, V> {

  private final int maxKeys;
  private final Predicate<V> pinned;
  private long evicted;

  KeyTable(int maxKeys, Predicate<V> pinned) {
    super(16, 0.75f, true);
    this.maxKeys = maxKeys;
    this.pinned = pinned;
  }

  /** Entries dropped to keep the bound. */
  long evicted() {
    return evicted;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
    if (size() > maxKeys && !pinned.test(eldest.getValue())) {
      evicted++;
      return true;
    }
    return false;
  }
}
