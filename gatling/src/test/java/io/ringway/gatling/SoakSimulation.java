package io.ringway.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.bodyBytes;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resource hygiene over time (issue 16): a moderate, steady mix for {@code -Dsoak.minutes} (default 10) while
 * the Ringway child is sampled once a minute from outside (heap after a full GC, open fds, RSS; see
 * {@link ProcessSample}). The mix: 8 users looping {@code GET /} on kept-alive connections (paced to 100/s
 * each), 4 users looping {@code POST /echo} 4 KiB (50/s each), and 25 new connections a second that send one
 * {@code GET /} with {@code Connection: close} — so every minute opens and closes 1,500 client connections.
 *
 * <p>The baseline is the sample after the first minute of load, not the one before it: by then the JIT has
 * compiled the hot paths, Netty's pooled arenas and the upstream pool have grown to what this load needs, and
 * what follows should be flat. The run fails when the last sample's heap after GC or fd count is more than
 * {@code -Dsoak.maxGrowth} (default 0.10) above the baseline. RSS gets a looser bound ({@code -Dsoak.maxRssGrowth},
 * default 0.50): it also moves with things that are not leaks and rarely give memory back (glibc malloc
 * arenas, the JIT's code cache, heap pages G1 touched once), but a leak of Netty's direct buffers shows only
 * there, so it is bounded rather than just reported. Samples go to {@code target/soak/soak.csv} and
 * {@code soak.svg}; with {@code -Dsoak.docs=true} the plot also to {@code docs/soak.svg}.
 */
public class SoakSimulation extends RingwaySimulation {

  static final int MINUTES = Integer.getInteger("soak.minutes", 10);
  static final double MAX_GROWTH = Double.parseDouble(System.getProperty("soak.maxGrowth", "0.10"));
  static final double MAX_RSS_GROWTH = Double.parseDouble(System.getProperty("soak.maxRssGrowth", "0.50"));
  static final int P99_MILLIS = 250;
  /** The load outlasts the last sample a little, so every sample is taken under load. */
  private static final Duration SOAK = Duration.ofMinutes(MINUTES).plusSeconds(20);
  private static final int BASELINE = 1;

  private final List<ProcessSample> samples = new ArrayList<>();
  private final CountDownLatch sampled = new CountDownLatch(MINUTES);
  private ScheduledExecutorService sampler;

  ScenarioBuilder keepAlive = scenario("soak keep-alive GET /")
      .exec(during(SOAK).on(pace(Duration.ofMillis(10)).exec(http("GET /").get("/").check(status().is(200)))));

  ScenarioBuilder echo = scenario("soak POST /echo 4 KiB")
      .exec(during(SOAK).on(pace(Duration.ofMillis(20)).exec(http("POST /echo 4 KiB").post("/echo")
          .header("content-type", "application/octet-stream")
          .body(ByteArrayBody(BODY_4K))
          .check(status().is(200), bodyBytes().is(BODY_4K)))));

  ScenarioBuilder churn = scenario("soak new connection GET /")
      .exec(http("GET / new connection").get("/").header("connection", "close").check(status().is(200)));

  {
    setUp(keepAlive.injectClosed(constantConcurrentUsers(8).during(SOAK)),
        echo.injectClosed(constantConcurrentUsers(4).during(SOAK)),
        churn.injectOpen(constantUsersPerSec(25).during(SOAK)))
        .protocols(cleartext())
        .maxDuration(SOAK.plus(GRACE))
        .assertions(runCeilings(P99_MILLIS));
  }

  @Override
  public void before() {
    if (MINUTES < 2) {
      throw new IllegalArgumentException("-Dsoak.minutes must be at least 2 (a baseline and a later sample); is " + MINUTES);
    }
    super.before();
    long pid = ringwayPid().orElseThrow(() -> new IllegalStateException(
        "the soak samples the Ringway process it starts; it cannot run against -Dtarget"));
    sample(pid, 0);
    sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "soak-sampler");
      thread.setDaemon(true);
      return thread;
    });
    long start = System.nanoTime();
    sampler.scheduleAtFixedRate(() -> {
      if (sampled.getCount() > 0) {
        sample(pid, (System.nanoTime() - start) / 60e9);
        sampled.countDown();
      }
    }, 60, 60, TimeUnit.SECONDS);
  }

  @Override
  public void after() {
    try {
      // The load ends 20 s after the last sample is due; a slow jcmd still gets a minute.
      if (!sampled.await(90, TimeUnit.SECONDS)) {
        System.out.println("soak: " + sampled.getCount() + " samples missing when the load ended");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (sampler != null) {
      sampler.shutdownNow();
    }
    super.after();
    List<ProcessSample> taken;
    synchronized (samples) {
      taken = List.copyOf(samples);
    }
    report(taken);
    check(taken);
  }

  private void sample(long pid, double minute) {
    try {
      ProcessSample sample = ProcessSample.of(pid, Math.round(minute * 10) / 10.0);
      synchronized (samples) {
        samples.add(sample);
      }
      System.out.printf(Locale.ROOT, "soak: minute %.1f heap after GC %.1f MB, %d fds, RSS %.1f MB, %d threads, %s%n",
          sample.minute(), sample.heapMb(), sample.fds(), sample.rssMb(), sample.threads(), loadAverage());
    } catch (Exception e) {
      // A missing sample fails the run in check(); the sampler thread keeps going.
      System.out.println("soak: sample at minute " + minute + " failed: " + e);
    }
  }

  private static void report(List<ProcessSample> taken) {
    if (taken.size() <= BASELINE) {
      return;
    }
    try {
      Path dir = Path.of(System.getProperty("load.workDir", "target/ringway")).resolveSibling("soak");
      String title = String.format(Locale.ROOT, "Ringway soak: %d min, heap after GC / fds / RSS vs minute %d", MINUTES, BASELINE);
      String svg = SoakReport.svg(taken, BASELINE, 1 + MAX_GROWTH, title);
      SoakReport.write(dir.resolve("soak.csv"), SoakReport.csv(taken));
      SoakReport.write(dir.resolve("soak.md"), SoakReport.markdown(taken));
      SoakReport.write(dir.resolve("soak.svg"), svg);
      System.out.println("soak: samples in " + dir.resolve("soak.csv") + ", plot " + dir.resolve("soak.svg") + "\n"
          + SoakReport.markdown(taken));
      if (Boolean.getBoolean("soak.docs")) {
        Path docs = RingwayProcess.projectRoot().resolve("docs/soak.svg");
        SoakReport.write(docs, svg);
        System.out.println("soak: plot also in " + docs);
      }
    } catch (Exception e) {
      System.out.println("soak: cannot write the report: " + e);
    }
  }

  /** Thrown from after(), this fails Gatling's run and so the Maven build. */
  private static void check(List<ProcessSample> taken) {
    if (taken.size() < MINUTES + 1) {
      throw new IllegalStateException("soak: " + taken.size() + " of " + (MINUTES + 1) + " samples taken; see the log above");
    }
    ProcessSample base = taken.get(BASELINE);
    ProcessSample last = taken.getLast();
    List<String> over = new ArrayList<>();
    bound(over, "heap after GC (MB)", base.heapMb(), last.heapMb(), MAX_GROWTH);
    bound(over, "open fds", base.fds(), last.fds(), MAX_GROWTH);
    bound(over, "RSS (MB)", base.rssMb(), last.rssMb(), MAX_RSS_GROWTH);
    if (!over.isEmpty()) {
      throw new IllegalStateException("soak: grew past its bound between minute " + BASELINE + " and minute "
          + MINUTES + ": " + String.join("; ", over));
    }
    System.out.println("soak: within bounds (heap and fds +" + Math.round(MAX_GROWTH * 100) + " %, RSS +"
        + Math.round(MAX_RSS_GROWTH * 100) + " % of minute " + BASELINE + ")");
  }

  private static void bound(List<String> over, String what, double base, double last, double growth) {
    if (last > base * (1 + growth)) {
      over.add(String.format(Locale.ROOT, "%s %.1f -> %.1f (+%.1f %%, bound +%.0f %%)", what, base, last,
          (last / base - 1) * 100, growth * 100));
    }
  }
}
