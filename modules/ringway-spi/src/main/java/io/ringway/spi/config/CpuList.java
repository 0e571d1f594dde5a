package io.ringway.spi.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/** CPU numbers in the kernel's list syntax ({@code 0-3,6}), and the CPUs this process may run on. */
public final class CpuList {

  /** {@code CPU_SETSIZE}: the highest CPU number a {@code cpu_set_t} holds, plus one. */
  public static final int MAX_CPUS = 1024;

  private CpuList() {
  }

  /**
   * Parses {@code 0-3,6} into {@code [0, 1, 2, 3, 6]}, sorted and each once.
   *
   * @throws IllegalArgumentException saying which part is not a CPU number or range below {@link #MAX_CPUS}
   */
  public static List<Integer> parse(String text) {
    TreeSet<Integer> cpus = new TreeSet<>();
    for (String part : text.split(",")) {
      String range = part.trim();
      int dash = range.indexOf('-');
      int first = number(dash < 0 ? range : range.substring(0, dash), text);
      int last = dash < 0 ? first : number(range.substring(dash + 1), text);
      if (last < first) {
        throw new IllegalArgumentException("\"" + range + "\" in \"" + text + "\" is an empty range");
      }
      IntStream.rangeClosed(first, last).forEach(cpus::add);
    }
    return List.copyOf(cpus);
  }

  private static int number(String digits, String whole) {
    String trimmed = digits.trim();
    if (trimmed.isEmpty() || trimmed.length() > 4 || !trimmed.chars().allMatch(Character::isDigit)
        || Integer.parseInt(trimmed) >= MAX_CPUS) {
      throw new IllegalArgumentException("\"" + whole + "\" is not a CPU list such as 0-3,6 (CPUs 0 to "
          + (MAX_CPUS - 1) + ")");
    }
    return Integer.parseInt(trimmed);
  }

  /**
   * The CPUs the kernel lets this process run on ({@code Cpus_allowed_list} of {@code /proc/self/status}:
   * taskset, cgroup cpusets and container limits narrow it); {@code 0..availableProcessors-1} where that
   * file is missing (not Linux).
   */
  public static List<Integer> allowed() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Cpus_allowed_list:")) {
          return parse(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    } catch (IOException | IllegalArgumentException unreadable) {
      // fall through to the JVM's count
    }
    List<Integer> all = new ArrayList<>();
    IntStream.range(0, Runtime.getRuntime().availableProcessors()).forEach(all::add);
    return all;
  }

  /** {@code [0, 1, 2, 5]} as {@code 0-2,5}. */
  public static String format(List<Integer> cpus) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < cpus.size(); i++) {
      int first = cpus.get(i);
      while (i + 1 < cpus.size() && cpus.get(i + 1) == cpus.get(i) + 1) {
        i++;
      }
      text.append(text.isEmpty() ? "" : ",").append(first).append(first == cpus.get(i) ? "" : "-" + cpus.get(i));
    }
    return text.toString();
  }
}
