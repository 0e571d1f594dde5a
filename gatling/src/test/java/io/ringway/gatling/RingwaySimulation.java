package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * What every scenario shares: a Ringway started before the load and stopped after it (unless
 * {@code -Dtarget} names one), the protocol pointed at it, the length of the measured phase
 * ({@code -Dload.seconds}, default 20), and the p99 ceilings of the assertions, calibrated on the 2-core VM
 * of docs/benchmarks.md with nothing else running and scaled by {@code -Dload.p99Factor} (default 1) for
 * slower or busier machines.
 */
abstract class RingwaySimulation extends Simulation {

  /** The 4 KiB body of the echo scenarios. */
  static final byte[] BODY_4K = body(4096);
  /** Bounds a run that hangs: the measured phase plus time for the last requests and the stop. */
  static final Duration GRACE = Duration.ofSeconds(30);

  private RingwayProcess ringway;

  /** A p99 ceiling in milliseconds, scaled for this machine. */
  static int p99Ceiling(int millis) {
    return (int) Math.round(millis * Double.parseDouble(System.getProperty("load.p99Factor", "1")));
  }

  /**
   * The global p99 under {@code p99Millis} (scaled for this machine), plus {@link #runCeilings(Assertion...)}'s
   * failure and volume checks.
   */
  static List<Assertion> runCeilings(int p99Millis) {
    return runCeilings(global().responseTime().percentile(99).lt(p99Ceiling(p99Millis)));
  }

  /** {@code latency}, plus what every closed-model run asserts: under 1 % failed, more than 1,000 answered. */
  static List<Assertion> runCeilings(Assertion... latency) {
    List<Assertion> all = new ArrayList<>(List.of(latency));
    all.add(global().failedRequests().percent().lt(1.0));
    all.add(global().successfulRequests().count().gt(1000L));
    return all;
  }

  static Duration measured() {
    return Duration.ofSeconds(Long.getLong("load.seconds", 20));
  }

  /** HTTP/1.1 to the cleartext listener; every virtual user has its own connections unless a scenario shares them. */
  static HttpProtocolBuilder cleartext() {
    // Gatling's own warm-up request goes to gatling.io by default; WarmUp does ours.
    return http.baseUrl(Target.http()).wsBaseUrl(Target.ws()).disableWarmUp().disableCaching()
        .userAgentHeader("ringway-gatling");
  }

  /** The process id of the Ringway this simulation started; none when {@code -Dtarget} names a running one. */
  OptionalLong ringwayPid() {
    return ringway == null ? OptionalLong.empty() : OptionalLong.of(ringway.pid());
  }

  @Override
  public void before() {
    System.out.println("ringway-load: " + getClass().getSimpleName() + " against " + Target.describe()
        + ", measured phase " + measured().toSeconds() + " s, " + loadAverage());
    if (!Target.external()) {
      ringway = RingwayProcess.start(getClass().getSimpleName());
    }
  }

  @Override
  public void after() {
    System.out.println("ringway-load: " + getClass().getSimpleName() + " done, " + loadAverage());
    if (ringway != null) {
      ringway.close();
    }
  }

  /** Other work on the machine moves every number here; the report says how busy it was. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return "load average " + fields[0] + " " + fields[1] + " " + fields[2] + " on "
          + Runtime.getRuntime().availableProcessors() + " CPUs";
    } catch (IOException | RuntimeException e) {
      return "load average unknown";
    }
  }

  private static byte[] body(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'r');
    return bytes;
  }
}
