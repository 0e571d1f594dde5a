package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache the build's training run writes beside ringway.jar (JDK 25): the JVM takes it without a complaint,
 * and {@code ./ringway} starts a node whether its cache is there, missing, older than the jar, or not a cache at all
 * (the JVM refuses a cache it cannot map and starts without it).
 */
class AotCacheIT {

  private static final Path JAR = Path.of(System.getProperty("ringway.jar"));
  private static final Path AOT = Path.of(JAR.toString().replaceFirst("\\.jar$", ".aot"));
  private static final Path SCRIPT = Path.of(System.getProperty("ringway.conf")).getParent().getParent().resolve("ringway");
  /** The flags the cache was trained with (the collector among them): the JVM refuses it under others. */
  private static final String JVM_OPTIONS = "@" + Path.of(System.getProperty("ringway.conf")).resolveSibling("jvm.options");

  @TempDir
  Path dir;

  @Test
  void theBuildWritesACacheTheJvmTakesWithoutAComplaint() throws Exception {
    assertThat(Runtime.version().feature()).as("the build trains on JDK 25; this JVM is older").isGreaterThanOrEqualTo(25);
    assertThat(AOT).as("the package phase's training run writes the cache beside the jar").isRegularFile();
    assertThat(Files.getLastModifiedTime(AOT)).isGreaterThan(Files.getLastModifiedTime(JAR));
    RingwayProcess.Finished run = RingwayProcess.runToEnd(dir, java.util.List.of(JVM_OPTIONS, "-XX:AOTCache=" + AOT, "-Xlog:aot=info"), "version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.output()).contains("Opened AOT cache").doesNotContain("[error").doesNotContain("[warning");
  }

  @Test
  void ringwayStartsWithItsCache() throws Exception {
    assertThat(startViaScript(AOT)).doesNotContain("ringway: no AOT cache").doesNotContain("[error");
  }

  @Test
  void ringwayStartsWithoutACacheAndSaysSo() throws Exception {
    assertThat(startViaScript(dir.resolve("missing.aot"))).contains("ringway: no AOT cache at " + dir.resolve("missing.aot"));
  }

  @Test
  void ringwayPassesNoCacheOlderThanTheJar() throws Exception {
    Path stale = Files.copy(AOT, dir.resolve("stale.aot"));
    Files.setLastModifiedTime(stale, FileTime.from(Files.getLastModifiedTime(JAR).toInstant().minus(Duration.ofHours(1))));
    assertThat(startViaScript(stale)).contains("is older than the jar; starting without it");
  }

  @Test
  void theJvmRefusesACacheItCannotMapAndStartsWithoutIt() throws Exception {
    // what a cache from another JVM build or another jar comes to: the JVM's own check fails
    Path foreign = Files.write(dir.resolve("foreign.aot"), new byte[4096]);
    Files.setLastModifiedTime(foreign, FileTime.from(Instant.now()));
    assertThat(startViaScript(foreign)).contains("Unable to map shared spaces");
  }

  /** Runs {@code ./ringway run} with RINGWAY_AOT=cache on free ports until the node logs ready; returns its output. */
  private String startViaScript(Path cache) throws Exception {
    int demoHttp = Ports.freeTcpPort();
    Path conf = Files.writeString(dir.resolve("ringway.yaml"), """
        eventLoops: 1
        verticles: [admin, demo-upstream, http-router]
        admin: {host: 127.0.0.1, port: %d, drainTimeout: 1s, drainCloseSpread: 0s}
        demoUpstream: {host: 127.0.0.1, httpPort: %d, tcpPort: %d}
        clusters:
          - name: demo-http
            endpoints: [{host: 127.0.0.1, port: %d}]
        http:
          listeners:
            - {name: web, host: 127.0.0.1, port: %d}
          routes:
            - {name: demo, target: demo-http}
        """.formatted(Ports.freeTcpPort(), demoHttp, Ports.freeTcpPort(), demoHttp, Ports.freeTcpPort()));
    Path log = dir.resolve("script.log");
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "run", "--conf", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("RINGWAY_AOT", cache.toString());
    // the JDK this test runs on, which is the one the build trained with
    builder.environment().put("JAVA_HOME", Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent().toString());
    Process process = builder.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.readString(log).contains("ready in")) {
        assertThat(process.isAlive()).as("./ringway exited:\n%s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("not ready in 60 s:\n%s", Files.readString(log)).isLessThan(deadline);
        Thread.sleep(100);
      }
      return Files.readString(log);
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
