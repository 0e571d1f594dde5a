package io.ringway.gatling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One look at a running JVM from outside: its heap after a full GC (via {@code jcmd}, so the number is the live
 * set, not whatever garbage the last young collection left), its open file descriptors and its resident set size
 * (from {@code /proc}), and its thread count.
 */
record ProcessSample(double minute, long heapAfterGcBytes, int fds, long rssBytes, int threads) {

  /** The last line of {@code GC.class_histogram}: "Total  &lt;instances&gt;  &lt;bytes&gt;". */
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
  private static final long JCMD_WITHIN_SECONDS = 60;

  static ProcessSample of(long pid, double minute) throws IOException, InterruptedException {
    // GC.class_histogram runs a full collection first and counts only what survived it, in one safepoint.
    // GC.run followed by GC.heap_info's "used" is not that: under load, the 0.3-1 s between the two jcmd
    // attaches allocates 5-10 MB (seen: 20-29 MB "after GC" over a 16 MB live set), which would swamp a 10 % bound.
    long heap = liveBytes(jcmd(pid, "GC.class_histogram"));
    int fds;
    try (Stream<Path> open = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds = (int) open.count();
    }
    List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
    return new ProcessSample(minute, heap, fds, statusField(status, "VmRSS:") * 1024, (int) statusField(status, "Threads:"));
  }

  static long liveBytes(String histogram) {
    Matcher total = TOTAL.matcher(histogram);
    if (!total.find()) {
      throw new IllegalStateException("no Total line in jcmd GC.class_histogram:\n"
          + histogram.substring(Math.max(0, histogram.length() - 500)));
    }
    return Long.parseLong(total.group(1));
  }

  private static long statusField(List<String> status, String name) {
    return status.stream().filter(line -> line.startsWith(name)).findFirst()
        .map(line -> Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]))
        .orElseThrow(() -> new IllegalStateException("no " + name + " in /proc/<pid>/status"));
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(jcmdPath().toString(), Long.toString(pid), command)
        .redirectErrorStream(true).start();
    byte[] out = jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(JCMD_WITHIN_SECONDS, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      jcmd.destroyForcibly();
      throw new IOException("jcmd " + pid + " " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** The jcmd beside the java that started Ringway (RingwayProcess uses this JVM's when it is 21+), else JAVA_HOME's. */
  private static Path jcmdPath() {
    Path here = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Runtime.version().feature() >= 21 && Files.isExecutable(here)) {
      return here;
    }
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && Files.isExecutable(Path.of(javaHome, "bin", "jcmd"))) {
      return Path.of(javaHome, "bin", "jcmd");
    }
    throw new IllegalStateException("no jcmd in " + here.getParent() + " nor in JAVA_HOME");
  }

  double heapMb() {
    return heapAfterGcBytes / (1024.0 * 1024.0);
  }

  double rssMb() {
    return rssBytes / (1024.0 * 1024.0);
  }
}
