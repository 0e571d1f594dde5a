package io.ringway.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged {@code ringway.jar} run as its own process, the way users run it. */
final class RingwayProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path log;

  private RingwayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Flags that move every port of the default config to the given ones and free ones, so a test never collides
   * with a running Ringway; list entries are reached by index, the way a deployment would move them.
   */
  static List<String> defaultConfigOn(int adminPort, int tcpProxyPort, int httpRouterPort, String... more) {
    int demoHttp = io.ringway.testkit.Ports.freeTcpPort();
    int demoTcp = io.ringway.testkit.Ports.freeTcpPort();
    List<String> flags = new ArrayList<>(List.of(
        "-Dringway.admin.port=" + adminPort,
        "-Dringway.demoUpstream.httpPort=" + demoHttp,
        "-Dringway.demoUpstream.tcpPort=" + demoTcp,
        "-Dringway.clusters.0.endpoints.0.port=" + demoTcp,
        "-Dringway.clusters.1.endpoints.0.port=" + demoHttp,
        "-Dringway.tcp.listeners.0.port=" + tcpProxyPort,
        "-Dringway.http.listeners.0.port=" + httpRouterPort));
    flags.addAll(List.of(more));
    return flags;
  }

  /** Starts the jar in {@code workDir} with JVM flags and arguments; output goes to a log file there. */
  static RingwayProcess start(Path workDir, List<String> jvmFlags, String... args) throws IOException {
    return start(workDir, command(jvmFlags, List.of("-jar", System.getProperty("ringway.jar")), args));
  }

  /**
   * Like {@link #start(Path, List, String...)} under an open-file limit ({@code prlimit --nofile}, soft and hard, so
   * the JVM cannot raise it): what {@code ulimit -n} does to a node started from a shell or a unit file.
   */
  static RingwayProcess startWithOpenFileLimit(Path workDir, int openFiles, List<String> jvmFlags, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of("prlimit", "--nofile=" + openFiles + ":" + openFiles, "--"));
    command.addAll(command(jvmFlags, List.of("-jar", System.getProperty("ringway.jar")), args));
    return start(workDir, command);
  }

  /**
   * Like {@link #start(Path, List, String...)} with more on the class path (this module's test classes,
   * say, for a test-only verticle); the launcher's main class is named, as {@code -jar} cannot be combined with it.
   */
  static RingwayProcess startWithClasspath(Path workDir, List<String> jvmFlags, Path extraClasspath, String... args)
      throws IOException {
    return start(workDir, command(jvmFlags, List.of("-cp", System.getProperty("ringway.jar") + java.io.File.pathSeparator
        + extraClasspath, RingwayLauncher.class.getName()), args));
  }

  private static RingwayProcess start(Path workDir, List<String> command) throws IOException {
    Path log = Files.createTempFile(workDir, "ringway", ".log");
    Process process = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    return new RingwayProcess(process, log);
  }

  /** Runs the jar to completion (bounded) and returns its exit code and output. */
  static Finished runToEnd(Path workDir, List<String> jvmFlags, String... args) throws Exception {
    try (RingwayProcess ringway = start(workDir, jvmFlags, args)) {
      if (!ringway.process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("ringway " + String.join(" ", args) + " did not finish in 60 s:\n" + ringway.output());
      }
      return new Finished(ringway.process.exitValue(), ringway.output());
    }
  }

  record Finished(int exitCode, String output) {
  }

  private static List<String> command(List<String> jvmFlags, List<String> launch, String... args) {
    List<String> command = new ArrayList<>();
    // The JVM running this test is the JDK >= 21 the build selected; the jar runs on the same one.
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmFlags);
    command.addAll(launch);
    command.addAll(List.of(args));
    return command;
  }

  /**
   * {@code kill -STOP}: the process hangs with its sockets open, so others notice only by its silence
   * (a wedged JVM, a frozen VM). {@link #kill()} still ends it.
   */
  void freeze() throws Exception {
    Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(process.pid())).start();
    if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
      throw new AssertionError("kill -STOP " + process.pid() + " failed");
    }
  }

  /** {@code kill -9}: no shutdown hook runs, the node vanishes from the cluster as in a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** GETs a path on loopback until it answers {@code status} or the wait runs out; returns the body. */
  String awaitStatus(int port, String path, int status, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("ringway exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        HttpResponse<String> response = HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == status) {
          return response.body();
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException notListeningYet) {
        last = notListeningYet.toString();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("GET " + path + " did not answer " + status + " within " + wait + " (last: " + last + ")\n" + output());
  }

  /** Waits until the output shows {@code text}, or fails with the output after {@code wait}. */
  void awaitOutput(String text, Duration wait) throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      if (output().contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("output never showed \"" + text + "\"\n" + output());
  }

  /** CPU time the process has used so far, all threads, user and system ({@code /proc/PID/stat}). */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
    // Fields after the command name (which may hold spaces) start at its closing parenthesis; utime and stime are
    // the 14th and 15th fields, in clock ticks of 1/100 s on Linux.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }

  /** Sends SIGTERM, as Kubernetes does before it kills a pod. */
  void terminate() {
    process.destroy();
  }

  /** The exit code, or null when the process is still running after {@code wait}. */
  Integer awaitExit(Duration wait) throws InterruptedException {
    return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
