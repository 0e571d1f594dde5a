package io.ringway.config.impl;

import io.ringway.spi.config.CpuList;
import io.ringway.spi.config.EventLoopAffinity;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code eventLoops}: either the number of loops ({@code eventLoops: 2}, 0 = one per core) or
 * {@code {count: 2, affinity: auto}}, where {@code affinity} is {@code none}, {@code auto} or one CPU per loop
 * ({@code [2, 3]}, or {@code "2-3"} in the kernel's list syntax, which is also how an override writes it).
 */
final class EventLoopsSection {

  /** Most event loops a node may ask for; beyond this, threads cost more than they bring. */
  static final int MAX_EVENT_LOOPS = 1024;

  /** @param count resolved: never 0 */
  record EventLoops(int count, EventLoopAffinity affinity) {
  }

  private EventLoopsSection() {
  }

  /**
   * @param cores what a count of 0 resolves to
   * @param allowed the CPUs this process may run on: a listed CPU outside them could not be pinned to
   */
  static EventLoops read(ConfigReader root, int cores, List<Integer> allowed) {
    if (!root.isObject("eventLoops")) {
      int count = root.integer("eventLoops", 0, MAX_EVENT_LOOPS, 0);
      return new EventLoops(count == 0 ? cores : count, EventLoopAffinity.NONE);
    }
    ConfigReader section = root.object("eventLoops");
    int given = section.integer("count", 0, MAX_EVENT_LOOPS, 0);
    int count = given == 0 ? cores : given;
    EventLoopAffinity affinity = affinity(section, count, given == 0, allowed);
    section.rejectUnknownKeys();
    return new EventLoops(count, affinity);
  }

  private static EventLoopAffinity affinity(ConfigReader section, int count, boolean perCore, List<Integer> allowed) {
    ConfigReader.Item<Object> item = section.raw("affinity");
    Object value = item.value();
    if (value == null || "none".equals(value)) {
      return EventLoopAffinity.NONE;
    }
    if ("auto".equals(value)) {
      return new EventLoopAffinity(EventLoopAffinity.Mode.AUTO, List.of());
    }
    List<Integer> cpus = cpus(section, item);
    if (cpus == null) {
      return EventLoopAffinity.NONE;
    }
    if (cpus.size() != count) {
      section.failAt(item.path(), "lists " + cpus.size() + (cpus.size() == 1 ? " CPU" : " CPUs") + " for " + count
          + " event loops" + (perCore ? " (count 0 means one per core: " + count + " here)" : "")
          + "; give one CPU per loop, or affinity: auto");
      return EventLoopAffinity.NONE;
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < cpus.size(); i++) {
      int cpu = cpus.get(i);
      if (!allowed.contains(cpu)) {
        section.failAt(item.path() + "[" + i + "]", "CPU " + cpu + " is not one this process may run on (allowed: "
            + CpuList.format(allowed) + ")");
      } else if (!seen.add(cpu)) {
        section.failAt(item.path() + "[" + i + "]", "CPU " + cpu + " is listed twice: two loops on one core "
            + "compete for it; use fewer loops");
      }
    }
    return new EventLoopAffinity(EventLoopAffinity.Mode.LIST, cpus);
  }

  /** The CPUs of a list or of a CPU-list string; null after an error. */
  private static List<Integer> cpus(ConfigReader section, ConfigReader.Item<Object> item) {
    String expected = "expected none, auto, a list of CPU numbers such as [0, 1] or a CPU list such as \"0-3\"";
    if (item.value() instanceof String text) {
      try {
        // Written as a range, order is the kernel's: ascending.
        return CpuList.parse(text);
      } catch (IllegalArgumentException e) {
        section.failAt(item.path(), expected + ", got " + ConfigReader.describe(text));
        return null;
      }
    }
    if (!(item.value() instanceof JsonArray array) || array.isEmpty()) {
      section.failAt(item.path(), expected + ", got " + ConfigReader.describe(item.value()));
      return null;
    }
    List<Integer> cpus = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (array.getValue(i) instanceof Integer cpu && cpu >= 0 && cpu < CpuList.MAX_CPUS) {
        cpus.add(cpu);
      } else {
        section.failAt(item.path() + "[" + i + "]", "expected a CPU number from 0 to " + (CpuList.MAX_CPUS - 1)
            + ", got " + ConfigReader.describe(array.getValue(i)));
        return null;
      }
    }
    return cpus;
  }
}
