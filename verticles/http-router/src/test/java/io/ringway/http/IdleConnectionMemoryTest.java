package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.ObjectName;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.ringway.spi.config.DirectResponseAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Memory per idle client connection (issue 17): {@value #CONNECTIONS} connections that connected and sent
 * nothing, held by a child process so that only the router's ends count here, must each cost at most
 * {@link #MAX_HEAP_PER_CONNECTION} bytes of live heap after a full GC; after one request each (idle keep-alive),
 * {@link #MAX_HEAP_PER_KEEP_ALIVE_CONNECTION}. Netty's direct memory is printed beside (an idle io_uring socket
 * holds no receive buffer: 0 bytes each, measured). The class histogram's growth is printed, so a failure says
 * which objects came back. About 10 s.
 */
class IdleConnectionMemoryTest {

  private static final int CONNECTIONS = 2_000;
  /**
   * Measured 1,785 bytes with {@code UnreadConnections} (the bare Netty channel: channel, unsafe, config,
   * pipeline with head, tail and two handlers, outbound buffer, addresses, io_uring registration) and 8,629 before
   * it, when Vert.x built its whole pipeline at accept; the bound leaves 30 % for JDK and Netty versions.
   */
  private static final long MAX_HEAP_PER_CONNECTION = 2_400;
  /**
   * An idle keep-alive connection after one request is a whole Vert.x HTTP/1 connection (pipeline of six
   * handlers, strict decoder): measured 3,233 bytes with Vert.x's strict thread mode, without its WebSocket
   * compression handlers and chunked writer, and with the listener's idle timer in place of its idle handler;
   * 3,809 with all three, 8,606 without strict thread mode (its per-connection MPSC write queue). The bound leaves
   * 20 %, and the histogram must show none of those handlers.
   */
  private static final long MAX_HEAP_PER_KEEP_ALIVE_CONNECTION = 3_900;

  /** Handlers Vert.x would build for every HTTP/1 connection that carry nothing in the router, or that it replaced. */
  private static final List<String> UNUSED_PER_CONNECTION = List.of(
      "io.netty.handler.timeout.IdleStateHandler",
      "io.netty.handler.stream.ChunkedWriteHandler",
      "io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler",
      "io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker");

  /**
   * An idle keep-alive connection parked ({@code KeepAliveParking}): a bare channel again, as an unread one (its gate
   * the one handler), plus what stays of its first life (close listeners). Measured 1,928 bytes after one request and
   * 1,934 after ten more, each after a park (no growth per wake), in a JVM of its own; 2,086 and 2,103 in the module's
   * whole run, where every kind measures ~150 bytes more (1,610 and 1,595 since the wake count is no attribute and
   * the client's address is shared, three classes in one JVM). The unread connection's bound: the same objects.
   */
  private static final long MAX_HEAP_PER_PARKED_CONNECTION = MAX_HEAP_PER_CONNECTION;
  private static final Duration PARK_AFTER = Duration.ofMillis(100);
  /** Rounds of one more request on every connection, each after a park, in the case that wakes them up. */
  private static final int WAKES = 10;

  /** What the connections did before they were counted. */
  enum Kind {
    /** Connected, sent nothing. */
    UNREAD(false, 0, MAX_HEAP_PER_CONNECTION),
    /** One request each, not parked (parking off). */
    KEEP_ALIVE(true, 0, MAX_HEAP_PER_KEEP_ALIVE_CONNECTION),
    /** One request each, then parked. */
    PARKED(true, 0, MAX_HEAP_PER_PARKED_CONNECTION),
    /** One request, then {@value #WAKES} more each after a park, then parked again. */
    PARKED_AFTER_WAKES(true, WAKES, MAX_HEAP_PER_PARKED_CONNECTION);

    final boolean request;
    final int wakes;
    final long bound;

    Kind(boolean request, int wakes, long bound) {
      this.request = request;
      this.wakes = wakes;
      this.bound = bound;
    }

    boolean parks() {
      return this == PARKED || this == PARKED_AFTER_WAKES;
    }
  }

  private RouterFixture fixture;

  private void start(Kind kind) throws Exception {
    fixture = RouterFixture.ioUring();
    // The head timeout is longer than the test, so the connections stay open while they are counted.
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), true, HttpListenerConfig.DEFAULT_MAX_HEADER_BYTES, HttpListenerConfig.DEFAULT_MAX_BODY_BYTES,
        Duration.ofSeconds(60), Duration.ofSeconds(60), HttpListenerConfig.DEFAULT_MAX_CONCURRENT_STREAMS,
        HttpListenerConfig.AUTO_MAX_CONNECTIONS, null, kind.parks() ? PARK_AFTER : Duration.ZERO);
    fixture.start(1, listener, List.of(), List.of(new RouteConfig("ok", RouteMatch.ANY,
        new DirectResponseAction(200, "ok", null))));
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void anIdleConnectionCostsLittleHeap(Kind kind) throws Exception {
    start(kind);
    // Warm-up: classes loaded and caches filled once per process are no cost per connection.
    int fdsStart = openFds();
    try (Clients warm = Clients.open(fixture.port, 200, kind, kind.wakes)) {
      awaitFds(fdsStart + 200, true);
      awaitParked(kind, 200);
    }
    // The router closes its ends once it reads the clients' FINs: back to where it started.
    awaitFds(fdsStart, false);
    int fdsBefore = openFds();
    long heapBefore = heapAfterGc();
    long directBefore = directMemory();
    Map<String, long[]> histogramBefore = histogram();

    try (Clients idle = Clients.open(fixture.port, CONNECTIONS, kind, kind.wakes)) {
      assertThat(awaitFds(fdsBefore + CONNECTIONS, true)).as("the router accepted them all")
          .isGreaterThanOrEqualTo(fdsBefore + CONNECTIONS);
      awaitParked(kind, CONNECTIONS);
      long heapAfter = heapAfterGc();
      long directAfter = directMemory();
      Map<String, long[]> histogramAfter = histogram();
      long heapEach = (heapAfter - heapBefore) / CONNECTIONS;
      long directEach = (directAfter - directBefore) / CONNECTIONS;
      JsonObject stats = fixture.listenerStats();
      System.out.printf(Locale.ROOT, "idle connections (%s): %d, heap after GC %.1f -> %.1f MiB, %d bytes each; Netty"
          + " direct memory %.1f -> %.1f MiB, %d bytes each; unread %d, parked %d%n%s", kind,
          CONNECTIONS, heapBefore / 1048576.0,
          heapAfter / 1048576.0, heapEach, directBefore / 1048576.0, directAfter / 1048576.0, directEach,
          stats.getLong("unreadConnections"), stats.getLong("parkedConnections"), growth(histogramBefore, histogramAfter, 15));
      assertThat(heapEach).as("live heap per idle connection, bytes").isLessThanOrEqualTo(kind.bound);
      for (String unused : UNUSED_PER_CONNECTION) {
        assertThat(instancesGrown(histogramBefore, histogramAfter, unused))
            .as("instances of %s, which the router never uses, per idle connection", unused)
            .isLessThan(CONNECTIONS / 10);
      }
      if (kind.parks()) {
        assertThat(instancesGrown(histogramBefore, histogramAfter, HTTP1_CONNECTION))
            .as("Vert.x HTTP/1 connections of parked connections").isLessThan(CONNECTIONS / 10);
        assertThat(instancesGrown(histogramBefore, histogramAfter, HANDLER_CONTEXT)).as("handler contexts of parked"
            + " connections: their gates' alone, not the transport's first handler's")
            .isLessThan(CONNECTIONS + CONNECTIONS / 10);
        assertThat(instancesGrown(histogramBefore, histogramAfter, ATTRIBUTE)).as("channel attributes of parked"
            + " connections (a wake count is a mark in the channel's config, not an attribute of 64 bytes)")
            .isLessThan(CONNECTIONS / 10);
        assertThat(stats.getLong("connections")).as("each counted once, however often it woke")
            .isEqualTo(200L + CONNECTIONS);
      }
    }
  }

  private static final String HTTP1_CONNECTION = "io.vertx.core.http.impl.Http1xServerConnection";
  private static final String HANDLER_CONTEXT = "io.netty.channel.DefaultChannelHandlerContext";
  private static final String ATTRIBUTE = "io.netty.util.DefaultAttributeMap$DefaultAttribute";

  /** Once the listener says all of them parked (the kinds that park); a parked one is a bare channel again. */
  private void awaitParked(Kind kind, int count) throws Exception {
    if (!kind.parks()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (fixture.listenerStats().getLong("parkedConnections") < count) {
      assertThat(System.nanoTime()).as("%d connections parked within 10 s", count).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The child process and its connections; closing it closes them. */
  private record Clients(Process process) implements AutoCloseable {

    static Clients open(int port, int count, Kind kind, int wakes) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // Each round waits for the connections to park first.
      Process process = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
          System.getProperty("java.class.path"), IdleClients.class.getName(), RouterFixture.HOST,
          Integer.toString(port), Integer.toString(count), kind.request ? "request" : "connect",
          Integer.toString(wakes), Long.toString(PARK_AFTER.toMillis() * 5))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.equals("connected " + count)) {
        process.destroyForcibly();
        throw new IOException("idle clients did not connect: " + line);
      }
      return new Clients(process);
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** Waits up to 10 s until this process has at least ({@code atLeast}) or at most {@code fds} open fds. */
  private static int awaitFds(int fds, boolean atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int open = openFds();
    while (System.nanoTime() < deadline && (atLeast ? open < fds : open > fds)) {
      Thread.sleep(20);
      open = openFds();
    }
    return open;
  }

  /** Direct memory Netty's default allocator (Vert.x's pooled one) holds: arenas' chunks in use or cached. */
  private static long directMemory() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  private static int openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/self/fd: " + e, e);
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** {@code jcmd GC.class_histogram} of this JVM: class name to {instances, bytes}. */
  static Map<String, long[]> histogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 4 && fields[0].endsWith(":")) {
        classes.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
      }
    }
    return classes;
  }

  /** How many more instances of {@code className} the second histogram holds than the first. */
  static long instancesGrown(Map<String, long[]> before, Map<String, long[]> after, String className) {
    return after.getOrDefault(className, new long[2])[0] - before.getOrDefault(className, new long[2])[0];
  }

  /** The {@code top} classes whose bytes grew most between two histograms, one line each. */
  static String growth(Map<String, long[]> before, Map<String, long[]> after, int top) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    for (Map.Entry<String, long[]> entry : after.entrySet()) {
      long[] was = before.getOrDefault(entry.getKey(), new long[2]);
      grown.add(Map.entry(entry.getKey(), new long[] {entry.getValue()[0] - was[0], entry.getValue()[1] - was[1]}));
    }
    grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
    StringBuilder lines = new StringBuilder();
    for (Map.Entry<String, long[]> entry : grown.subList(0, Math.min(top, grown.size()))) {
      lines.append(String.format(Locale.ROOT, "  %+9d bytes %+7d instances  %s%n", entry.getValue()[1],
          entry.getValue()[0], entry.getKey()));
    }
    return lines.toString();
  }
}
