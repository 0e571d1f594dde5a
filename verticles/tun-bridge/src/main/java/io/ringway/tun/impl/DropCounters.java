package io.ringway.tun.impl;

import java.util.EnumMap;
import java.util.Map;

/**
 * One counter per {@link DropReason}; written on one event loop, copied out for stats. Counters
 * form a tree (session → peer → bridge) so a drop counted where it is detected also shows in the
 * totals above it.
 */
public final class DropCounters {

  private final long[] counts = new long[DropReason.values().length];
  private DropCounters parent;

  /** Counts one drop (here and in every parent) and returns null: {@code return drops.drop(REASON);}. */
  public <T> T drop(DropReason reason) {
    for (DropCounters counters = this; counters != null; counters = counters.parent) {
      counters.counts[reason.ordinal()]++;
    }
    return null;
  }

  /** Makes later drops counted here count in {@code totals} too. */
  public void forwardTo(DropCounters totals) {
    this.parent = totals;
  }

  public long get(DropReason reason) {
    return counts[reason.ordinal()];
  }

  public long total() {
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    return total;
  }

  /** A copy with only the non-zero reasons, for stats. */
  public Map<DropReason, Long> snapshot() {
    Map<DropReason, Long> snapshot = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      if (counts[reason.ordinal()] != 0) {
        snapshot.put(reason, counts[reason.ordinal()]);
      }
    }
    return snapshot;
  }
}
