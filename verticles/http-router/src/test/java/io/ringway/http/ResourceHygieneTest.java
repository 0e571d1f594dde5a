package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.testkit.GetLoad;
import io.ringway.testkit.MortalHttpServer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resource hygiene under churn (issue 16): after keep-alive load, 20 config reloads (a health-checked cluster
 * added and removed on every other one) and an endpoint death under that load, this JVM's open file descriptors
 * and its heap after a full GC are back at their baseline, pool sizes aside, and the removed cluster's health
 * check has stopped. Everything runs in this JVM (router, backends, load), so every socket counts twice: once
 * per end.
 *
 * <p>"Pool sizes aside", exactly: the router's client keeps idle keep-alive connections to its endpoints for
 * 60 s (Vert.x's default keepAliveTimeout), which is the pool doing its job. Those sockets are told apart by
 * their port in {@code /proc/net/tcp6}/{@code tcp} and bounded on their own: to the live endpoint at most one
 * per load connection (the pool opens one only when no idle one is free, and at most {@link #CONNECTIONS}
 * requests are ever in flight), two fds each; to the dead one none. Every other fd (the load's, the health
 * check's, the listeners') must be back to the baseline plus {@link #FD_SLACK}.
 */
class ResourceHygieneTest {

  private static final int CONNECTIONS = 16;
  private static final int REQUESTS = 16_000;
  private static final int RELOADS = 20;
  /**
   * Fds that may open once and stay without being a leak: a jar the class loader opens on the first death
   * or reload path the warm-up did not take. A leaked load connection is 2 fds per connection, 32 here.
   */
  private static final int FD_SLACK = 4;
  /**
   * 10 % is the growth bound; the 4 MiB on top is for what the first endpoint death and the 20 reloads
   * build once and keep (the classes of the death and retry paths initialise their statics on the heap, stats
   * of the routes and clusters seen), and for the live endpoint's idle pooled connections (Vert.x and Netty
   * objects of at most 16 connections, well under 1 MiB). The baseline is ~12 MiB here, so the bound is ~5 MiB
   * above it: more than ~350 bytes kept per request (16,000 of them) fails it; 512 planted did (12.3 -> 21.9 MiB).
   */
  private static final double HEAP_GROWTH = 0.10;
  private static final long HEAP_NOISE = 4L << 20;
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

  private RouterFixture fixture;
  private MortalHttpServer live;
  private MortalHttpServer doomed;
  private NetServer probed;
  private final AtomicInteger probes = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    fixture = RouterFixture.ioUring();
    live = new MortalHttpServer(fixture.vertx, "live", 1);
    doomed = new MortalHttpServer(fixture.vertx, "doomed", 1);
    probed = fixture.vertx.createNetServer().connectHandler(socket -> {
      probes.incrementAndGet();
      socket.close();
    }).listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    fixture.start(clusters(false, true), routes());
  }

  @AfterEach
  void stop() throws Exception {
    live.close();
    doomed.close();
    probed.close().await(10, TimeUnit.SECONDS);
    fixture.close();
  }

  @Test
  void fdsAndHeapReturnToBaselineAfterLoadReloadsAndAnEndpointDeath() throws Exception {
    // Warm-up: the first load and reload load classes, open jars and fill the Netty and Vert.x caches that a
    // process has once; the baseline comes after.
    runLoad(2_000, () -> {
      fixture.publish(clusters(true, true), routes());
      fixture.publish(clusters(false, true), routes());
    });
    settle();
    Sockets before = sockets();
    long heapBefore = heapAfterGc();

    runLoad(REQUESTS, () -> {
      for (int i = 1; i <= RELOADS; i++) {
        fixture.publish(clusters(i % 2 == 1, true), routes());
        Thread.sleep(40);
        if (i == RELOADS / 2) {
          doomed.kill();
        }
      }
      // What an operator does next: the dead endpoint leaves the config.
      fixture.publish(clusters(false, false), routes());
    });
    settle();
    // Up to 5 s for the sockets to close; the assertions below say by how much they did not.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sockets().other() > before.other() - 1 + FD_SLACK && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    int probesAfterRemoval = probes.get();
    Thread.sleep(PROBE_INTERVAL.toMillis() * 5);
    Sockets after = sockets();
    long heapAfter = heapAfterGc();

    System.out.printf(Locale.ROOT, "hygiene: fds %d -> %d (pooled to the live endpoint %d -> %d, to the dead one"
        + " %d -> %d, other %d -> %d), heap after GC %.1f -> %.1f MiB, %d probes%n", before.total(), after.total(),
        before.toLive(), after.toLive(), before.toDoomed(), after.toDoomed(), before.other(), after.other(),
        heapBefore / 1048576.0, heapAfter / 1048576.0, probes.get());
    assertThat(probes.get()).as("the removed cluster's health check stopped").isEqualTo(probesAfterRemoval);
    assertThat(after.toLive()).as("idle pooled connections to the live endpoint, both ends")
        .isLessThanOrEqualTo(2 * CONNECTIONS);
    assertThat(after.toDoomed()).as("connections to the dead endpoint").isZero();
    // The dead endpoint's listener is gone: one fd fewer than the baseline had.
    assertThat(after.other()).as("fds other than the pool's: " + after.other()).isLessThanOrEqualTo(before.other() - 1 + FD_SLACK);
    assertThat(heapAfter).as("heap after GC, baseline %d", heapBefore)
        .isLessThanOrEqualTo((long) (heapBefore * (1 + HEAP_GROWTH)) + HEAP_NOISE);
  }

  private interface Churn {
    void run() throws Exception;
  }

  /** A bounded keep-alive load, {@code churn} once it is under way; every GET must still be answered 2xx. */
  private void runLoad(int requests, Churn churn) throws Exception {
    try (GetLoad load = new GetLoad(fixture.vertx, fixture.port, "/", CONNECTIONS, requests)) {
      assertThat(load.awaitAnswered(requests / 4, Duration.ofSeconds(10))).as("load under way").isTrue();
      churn.run();
      assertThat(load.await(Duration.ofSeconds(20))).as("load finished; " + load.describe()).isTrue();
      assertThat(load.lost()).as(load.describe()).isZero();
    }
  }

  /** Closed client connections close their router ends asynchronously: give them a moment. */
  private static void settle() throws InterruptedException {
    Thread.sleep(300);
  }

  private List<ClusterConfig> clusters(boolean withChecked, boolean withDoomed) {
    List<Endpoint> endpoints = withDoomed
        ? List.of(Endpoint.of(RouterFixture.HOST, live.port()), Endpoint.of(RouterFixture.HOST, doomed.port()))
        : List.of(Endpoint.of(RouterFixture.HOST, live.port()));
    ClusterConfig pair = ClusterConfig.of("pair", endpoints);
    if (!withChecked) {
      return List.of(pair);
    }
    // No route sends to it: its only traffic is its health check's connects, which must stop when it goes.
    ClusterConfig checked = ClusterConfig.of("checked", List.of(Endpoint.of(RouterFixture.HOST, probed.actualPort())))
        .withHealthCheck(new HealthCheckConfig(PROBE_INTERVAL, PROBE_INTERVAL, 1, 1, null, null));
    return List.of(pair, checked);
  }

  private static List<RouteConfig> routes() {
    return List.of(new RouteConfig("pair", RouteMatch.path(PathMatch.prefix("/")), ForwardAction.to("pair"),
        RoutePolicy.DEFAULTS));
  }

  private static long heapAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    // One System.gc() can leave objects whose finalisation or Cleaner runs only after it; a few, apart, settle.
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** This process's open fds, with the sockets of connections to or from the live endpoint's port apart. */
  private record Sockets(int total, int toLive, int toDoomed) {

    int other() {
      return total - toLive - toDoomed;
    }
  }

  private Sockets sockets() {
    try {
      Set<String> toLiveInodes = new HashSet<>();
      Set<String> toDoomedInodes = new HashSet<>();
      for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.trim().split("\\s+");
          int local = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
          int remote = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
          boolean listening = "0A".equals(fields[3]);
          if (!listening && (local == live.port() || remote == live.port())) {
            toLiveInodes.add(fields[9]);
          } else if (!listening && (local == doomed.port() || remote == doomed.port())) {
            toDoomedInodes.add(fields[9]);
          }
        }
      }
      int total = 0;
      int toLive = 0;
      int toDoomed = 0;
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        for (Path fd : fds.toList()) {
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (IOException closedMeanwhile) {
            continue;
          }
          total++;
          String inode = target.startsWith("socket:[") ? target.substring(8, target.length() - 1) : "";
          toLive += toLiveInodes.contains(inode) ? 1 : 0;
          toDoomed += toDoomedInodes.contains(inode) ? 1 : 0;
        }
      }
      return new Sockets(total, toLive, toDoomed);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc: " + e, e);
    }
  }
}
