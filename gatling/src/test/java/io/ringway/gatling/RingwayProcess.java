package io.ringway.gatling;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Ringway as a child process on {@code ringway-load.yaml}: started from {@code ringway.jar} by a simulation's
 * {@code before()}, stopped with SIGTERM by its {@code after()}, its output kept in a log file that is
 * scanned for warnings and exceptions afterwards (a proxy that answers but logs stack traces is a finding).
 */
final class RingwayProcess implements AutoCloseable {

  private static final String CONFIG_RESOURCE = "ringway-load.yaml";
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  /** Above the config's admin.drainTimeout (5 s), so a clean drain is never cut short. */
  private static final Duration STOP_WITHIN = Duration.ofSeconds(20);
  private static final int MIN_JAVA = 21;

  private final Process process;
  private final Path log;
  private final Thread killOnExit;

  private RingwayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    // A Gatling JVM that dies (Ctrl-C, crash) must not leave Ringway holding the ports.
    this.killOnExit = new Thread(process::destroyForcibly, "ringway-load-kill");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Writes the config and TLS material, starts Ringway, waits for {@code /ready}, and warms it up. */
  static RingwayProcess start(String runName) {
    try {
      Path workDir = workDir();
      Files.createDirectories(workDir);
      refuseTakenPorts();
      SelfSignedTls tls = SelfSignedTls.create(workDir.resolve("tls"));
      try (InputStream config = RingwayProcess.class.getClassLoader().getResourceAsStream(CONFIG_RESOURCE)) {
        if (config == null) {
          throw new IllegalStateException(CONFIG_RESOURCE + " is not on the test classpath");
        }
        Files.write(workDir.resolve(CONFIG_RESOURCE), config.readAllBytes());
      }
      Path log = workDir.resolve(runName + "-ringway.log");
      List<String> command = List.of(java().toString(), "--enable-native-access=ALL-UNNAMED",
          "-jar", ringwayJar().toString(), "run", "--conf", CONFIG_RESOURCE);
      System.out.println("ringway-load: starting " + String.join(" ", command) + " in " + workDir + ", log " + log);
      Process process = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      RingwayProcess ringway = new RingwayProcess(process, log);
      try {
        ringway.awaitReady();
        WarmUp.run(tls);
      } catch (Exception | Error e) {
        ringway.close();
        throw e;
      }
      return ringway;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("ringway-load: cannot start Ringway: " + e, e);
    }
  }

  /** The child's process id, for what only the OS or the JVM's attach API can tell (fds, RSS, heap after GC). */
  long pid() {
    return process.pid();
  }

  /**
   * Keeps Ringway's own counters of the run ({@code /stats?format=json}: refusals, 5xx, latencies per route and
   * cluster) beside its log, then SIGTERM (Ringway drains, then exits), a kill if it has not exited in time,
   * and the log's findings.
   */
  @Override
  public void close() {
    saveStats();
    process.destroy();
    try {
      if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
        System.out.println("ringway-load: Ringway did not exit within " + STOP_WITHIN.toSeconds() + " s of SIGTERM; killed");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException alreadyExiting) {
      // the hook runs anyway
    }
    System.out.println("ringway-load: Ringway exited with " + (process.isAlive() ? "(still running)" : process.exitValue()));
    System.out.println(LogFindings.of(log));
  }

  private void saveStats() {
    Path stats = log.resolveSibling(log.getFileName().toString().replace("-ringway.log", "-stats.json"));
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<Path> response = client.send(HttpRequest.newBuilder(admin("/stats?format=json"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofFile(stats));
      System.out.println("ringway-load: Ringway's stats of the run (" + response.statusCode() + "): " + stats);
      System.out.println(RingwayStats.summary(stats));
    } catch (IOException e) {
      System.out.println("ringway-load: no stats from Ringway: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static URI admin(String path) {
    return URI.create("http://" + Target.HOST + ":" + Target.ADMIN_PORT + path);
  }

  private void awaitReady() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI ready = admin("/ready");
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Ringway exited with " + process.exitValue() + " before it was ready; log "
            + log + ":\n" + tail(log, 30));
      }
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // keep polling
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("Ringway not ready within " + READY_WITHIN.toSeconds() + " s; log " + log
        + ":\n" + tail(log, 30));
  }

  /** A Ringway left over from an interrupted run would answer in place of the one we start. */
  private static void refuseTakenPorts() throws IOException {
    for (int port : new int[] {Target.ADMIN_PORT, Target.HTTP_PORT, Target.TLS_PORT}) {
      try (Socket probe = new Socket(Target.HOST, port)) {
        throw new IllegalStateException(Target.HOST + ":" + port + " is taken (a Ringway left from an earlier run?);"
            + " stop it, or give -Dtarget=http://host:port to load a running one");
      } catch (ConnectException free) {
        // what we want
      }
    }
  }

  /** This JVM's java when it is new enough (the Maven toolchain picks a JDK >= 21), else JAVA_HOME's. */
  private static Path java() {
    if (Runtime.version().feature() >= MIN_JAVA) {
      return Path.of(System.getProperty("java.home"), "bin", "java");
    }
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && Files.isExecutable(Path.of(javaHome, "bin", "java"))) {
      return Path.of(javaHome, "bin", "java");
    }
    throw new IllegalStateException("Ringway needs Java " + MIN_JAVA + "+; this JVM is " + Runtime.version()
        + " and JAVA_HOME is not set");
  }

  private static Path ringwayJar() {
    Path jar = Path.of(System.getProperty("load.ringwayJar",
        projectRoot().resolve("modules/ringway-launcher/target/ringway.jar").toString())).normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; build it with"
          + " ./mvnw -B -Dmaven.test.skip=true -pl modules/ringway-launcher -am install (or ./ringway version)");
    }
    return jar;
  }

  private static Path workDir() {
    return Path.of(System.getProperty("load.workDir", projectRoot().resolve("gatling/target/ringway").toString()))
        .toAbsolutePath().normalize();
  }

  /** The repository root when the properties the pom passes are absent (a run from an IDE). */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path at = dir; at != null; at = at.getParent()) {
      if (Files.isDirectory(at.resolve("modules/ringway-launcher"))) {
        return at;
      }
    }
    return dir;
  }

  private static String tail(Path file, int lines) {
    try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
      List<String> kept = new ArrayList<>();
      all.forEach(line -> {
        kept.add(line);
        if (kept.size() > lines) {
          kept.removeFirst();
        }
      });
      return String.join("\n", kept);
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** What the Ringway log says went wrong: counts, and the first line of each distinct complaint. */
  record LogFindings(Path log, int lines, int warnings, int errors, int exceptions, Map<String, Integer> distinct) {

    private static final int SHOWN = 8;

    static LogFindings of(Path log) {
      int[] counts = new int[4];
      Map<String, Integer> distinct = new LinkedHashMap<>();
      try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        lines.forEach(line -> {
          counts[0]++;
          boolean warning = line.contains("WARN");
          boolean error = line.contains("ERROR") || line.contains("SEVERE");
          boolean exception = !line.startsWith("\t") && (line.contains("Exception") || line.contains("Error:"));
          counts[1] += warning ? 1 : 0;
          counts[2] += error ? 1 : 0;
          counts[3] += exception ? 1 : 0;
          if (warning || error || exception) {
            distinct.merge(withoutTimestamp(line), 1, Integer::sum);
          }
        });
      } catch (IOException | UncheckedIOException e) {
        distinct.put("(log unreadable: " + e.getMessage() + ")", 1);
      }
      return new LogFindings(log, counts[0], counts[1], counts[2], counts[3], distinct);
    }

    /** Lines that differ only in their time stamp or connection address count as one. */
    private static String withoutTimestamp(String line) {
      String text = line.replaceAll("^\\S*\\d{2}:\\d{2}:\\d{2}\\S*\\s*", "").replaceAll(":\\d{4,5}\\b", ":<port>");
      return text.length() > 240 ? text.substring(0, 240) + "..." : text;
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder("ringway-load: Ringway log ").append(log).append(": ").append(lines)
          .append(" lines, ").append(warnings).append(" WARN, ").append(errors).append(" ERROR/SEVERE, ")
          .append(exceptions).append(" exception lines");
      distinct.entrySet().stream().limit(SHOWN).forEach(entry ->
          out.append("\n  ").append(entry.getValue()).append("x ").append(entry.getKey()));
      if (distinct.size() > SHOWN) {
        out.append("\n  ... ").append(distinct.size() - SHOWN).append(" more distinct lines");
      }
      return out.toString();
    }
  }
}
