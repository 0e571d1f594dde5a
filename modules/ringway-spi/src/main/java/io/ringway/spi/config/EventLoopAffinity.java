package io.ringway.spi.config;

import java.util.List;

/**
 * {@code eventLoops.affinity}: whether and where each event-loop thread is pinned to one CPU.
 *
 * @param mode {@link Mode#NONE} leaves placement to the kernel, {@link Mode#AUTO} pins loop {@code i} to the
 *     {@code i}-th CPU this process may run on (wrapping when there are more loops than CPUs), {@link Mode#LIST}
 *     pins loop {@code i} to {@code cpus.get(i)}
 * @param cpus one CPU number per event loop for {@link Mode#LIST}; empty otherwise
 */
public record EventLoopAffinity(Mode mode, List<Integer> cpus) {

  /** The default: no pinning. */
  public static final EventLoopAffinity NONE = new EventLoopAffinity(Mode.NONE, List.of());

  /** How the loops are placed. */
  public enum Mode { NONE, AUTO, LIST }

  public EventLoopAffinity {
    cpus = List.copyOf(cpus);
  }

  /** The CPU loop {@code index} goes to, given the CPUs this process may use; -1 for {@link Mode#NONE}. */
  public int cpuOf(int index, List<Integer> allowed) {
    return switch (mode) {
      case NONE -> -1;
      case AUTO -> allowed.get(index % allowed.size());
      case LIST -> cpus.get(index);
    };
  }

  /** {@code none}, {@code auto} or the list as written in config ({@code [0, 2]}). */
  @Override
  public String toString() {
    return mode == Mode.LIST ? cpus.toString() : mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
