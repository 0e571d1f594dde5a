package io.ringway.config.impl;

import io.ringway.spi.config.RingwayConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload may change now and what must wait for a restart: the transport, its tunables and the
 * number of event loops are fixed when Vert.x is built, so a changed file keeps the running values of
 * those and says so, rather than publishing values nothing follows. So is the warm-up, which runs once, before
 * the listeners bind. The loops' CPU affinity is not among them: each loop re-pins itself when a new one is applied.
 *
 * @param next the config to run from now on
 * @param changed top-level keys that {@code next} changes, in record order
 * @param deferred top-level keys that changed in the file but take effect at restart
 */
public record ReloadPlan(RingwayConfig next, List<String> changed, List<String> deferred) {

  /** Top-level keys only a restart applies: the cluster's Hazelcast member is also built once. */
  public static final Set<String> RESTART_ONLY = Set.of("transport", "eventLoops", "transportOptions", "cluster", "warmup");

  public ReloadPlan {
    changed = List.copyOf(changed);
    deferred = List.copyOf(deferred);
  }

  /** Plans the move from {@code running} to {@code candidate}. */
  public static ReloadPlan of(RingwayConfig running, RingwayConfig candidate) {
    RingwayConfig next = new RingwayConfig(running.transport(), running.eventLoops(), running.transportOptions(),
        candidate.verticles(), candidate.admin(), candidate.demoUpstream(), candidate.clusters(), candidate.tcp(),
        candidate.http(), candidate.tun(), running.cluster(), candidate.affinity(), running.warmup());
    List<String> deferred = differences(running, candidate).stream().filter(RESTART_ONLY::contains).toList();
    return new ReloadPlan(next, differences(running, next), deferred);
  }

  /** Whether {@link #next()} differs from the running config. */
  public boolean changesAnything() {
    return !changed.isEmpty();
  }

  /** Names of the top-level keys whose values differ, in record order. */
  static List<String> differences(RingwayConfig a, RingwayConfig b) {
    List<String> names = new ArrayList<>();
    for (RecordComponent component : RingwayConfig.class.getRecordComponents()) {
      try {
        if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
          names.add(component.getName());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + component, e);
      }
    }
    return names;
  }
}
