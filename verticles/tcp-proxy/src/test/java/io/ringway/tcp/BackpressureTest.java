package io.ringway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.ByteBufAllocator;
import io.ringway.testkit.ByteBufLeaks;
import io.ringway.testkit.Ports;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that writes as fast as it can to an upstream that reads nothing: the proxy must stop
 * reading once its write queue toward the upstream is full, so its memory stays flat however much
 * is offered. Everything else in the path is kernel socket buffers, which fill and then stall the
 * writer. The client and the upstream use blocking sockets, so the only pooled buffers in this JVM
 * are the proxy's.
 */
class BackpressureTest {

  /** Far more than the loopback socket buffers on the path can hold (tcp_rmem max 32 MiB here). */
  private static final long OFFERED = 200L << 20;
  /**
   * The stated bound on what the proxy may hold for one stalled connection: its write queue is
   * 256 KiB, plus the reads Vert.x queues before it stops reading; 16 MiB leaves room for noise.
   */
  private static final long BOUND = 16L << 20;
  private static final int SLICE = 1 << 20;

  private Backend sink;
  private ProxyFixture proxy;

  @AfterEach
  void close() throws Exception {
    proxy.close();
    sink.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aReaderThatReadsNothingStallsTheWriterAndTheProxyHoldsLittle(String transport) throws Exception {
    int port = startInFrontOfASink(transport);
    // Warm the path (classes, pool arenas) with a connection the sink holds but that sends little.
    try (Socket warm = Clients.connect(port)) {
      warm.getOutputStream().write(new byte[1024]);
    }
    Eventually.await(Duration.ofSeconds(5), "warm-up proxied", () -> proxy.listener("l4").getLong("bytesIn") == 1024);
    long heapBefore = usedHeapAfterGc();
    long directBefore = pooledDirect();

    AtomicLong written = new AtomicLong();
    try (Socket client = Clients.connect(port)) {
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(client, written),
          runnable -> Thread.ofVirtual().start(runnable));
      long stalledAt = awaitStall(written);
      long proxyRead = proxy.listener("l4").getLong("bytesIn");

      long heapGrowth = usedHeapAfterGc() - heapBefore;
      long directGrowth = pooledDirect() - directBefore;
      assertThat(writer).as("the writer must be stalled, not done").isNotDone();
      assertThat(stalledAt).as("bytes the writer got rid of before stalling").isLessThan(OFFERED);
      assertThat(heapGrowth).as("proxy heap growth").isLessThan(BOUND);
      assertThat(directGrowth).as("pooled direct memory growth").isLessThan(BOUND);
      Eventually.await(Duration.ofSeconds(2), "proxy stopped reading",
          () -> proxy.listener("l4").getLong("bytesIn") == proxyRead);
    }
  }

  /**
   * A relay stalled by a reader that reads nothing holds what its paused client socket read in Vert.x's queue. When the
   * proxy closes such a connection (here its undeploy; an idle timeout or a reset does the same), those buffers are
   * handed on and released: Vert.x 5.0.10 does not release that queue at close, and CI's paranoid leak detector found
   * them leaked before.
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aStalledConnectionTheProxyClosesLeaksNothing(String transport) throws Exception {
    int port = startInFrontOfASink(transport);
    try (ByteBufLeaks leaks = ByteBufLeaks.watch(); Socket client = Clients.connect(port)) {
      AtomicLong written = new AtomicLong();
      CompletableFuture.runAsync(() -> write(client, written), runnable -> Thread.ofVirtual().start(runnable));
      awaitStall(written);
      proxy.close();
      assertThat(leaks.afterGc()).as("buffers leaked").isZero();
    }
  }

  /** A sink that reads nothing, and a proxy in front of it; returns the proxy's port. */
  private int startInFrontOfASink(String transport) throws Exception {
    sink = Backend.start(Backend::sink);
    int port = Ports.freeTcpPort();
    proxy = ProxyFixture.on(transport, 1).deploy(ProxyFixture.config(
        List.of(ProxyFixture.cluster("sink", sink)), List.of(ProxyFixture.listener("l4", port, "sink"))), 1);
    return port;
  }

  private static void write(Socket client, AtomicLong written) {
    try {
      OutputStream out = client.getOutputStream();
      byte[] slice = new byte[SLICE];
      while (written.get() < OFFERED) {
        out.write(slice);
        written.addAndGet(slice.length);
      }
    } catch (Exception closedByTheTest) {
      // the test closes the socket under a blocked write
    }
  }

  /** Waits until the writer made no progress for half a second; returns how far it got. */
  private static long awaitStall(AtomicLong written) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long last = -1;
    int still = 0;
    while (still < 10 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = written.get();
      still = now == last ? still + 1 : 0;
      last = now;
    }
    return written.get();
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long pooledDirect() {
    ByteBufAllocator allocator = io.vertx.core.impl.buffer.VertxByteBufAllocator.POOLED_ALLOCATOR;
    return ((ByteBufAllocatorMetricProvider) allocator).metric().usedDirectMemory();
  }
}
