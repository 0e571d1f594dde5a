package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.ringway.tun.TunDevice;
import io.ringway.tun.TunFixture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.transport.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real TUN device, a NIO Vert.x event loop, the channel's own reader thread, real kernel UDP. */
class NioTunChannelTest {

  private final TunFixture tun = new TunFixture();
  private final BlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> threads = new LinkedBlockingQueue<>();
  private final AtomicLong handled = new AtomicLong();
  private Vertx vertx;
  private ContextInternal context;
  private NioTunChannel channel;
  /** {@link #handled} when {@link #statsOnLoop} took its copy, on the same loop turn. */
  private volatile long handledAtStats;

  @BeforeEach
  void nioLoop() {
    TunFixture.requireTun();
    vertx = Vertx.builder().withTransport(Transport.NIO).build();
    context = (ContextInternal) vertx.getOrCreateContext();
  }

  @AfterEach
  void closeEverything() throws Exception {
    tun.tearDown(channel, vertx);
  }

  @Test
  void aDatagramRoutedIntoTheTunIsReadByTheReaderAndHandledOnTheEventLoop() throws Exception {
    open(NioTunChannel.DEFAULT_HANDOFF_LIMIT);
    byte[] payload = "ringway over tun, nio".getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4789)));

      Ipv4Udp udp = nextUdp();
      assertThat(udp.source()).isEqualTo(InetAddress.getByName(tun.host(1)));
      assertThat(udp.destinationPort()).isEqualTo(4789);
      assertThat(udp.payload()).isEqualTo(payload);
      assertThat(threads.poll()).startsWith("vert.x-eventloop-thread-");
      assertThat(readerThread()).as("one reader thread, named after the device").isPresent();
      assertThat(readerThread().get().isDaemon()).isTrue();
    }
  }

  @Test
  void packetsWrittenOnTheLoopFromHeapAndDirectBuffersReachALocalSocket() throws Exception {
    open(NioTunChannel.DEFAULT_HANDOFF_LIMIT);
    try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      receiver.setSoTimeout(5000);
      byte[] heap = new Ipv4Udp(InetAddress.getByName(tun.host(2)), InetAddress.getByName(tun.host(1)),
          40000, receiver.getLocalPort(), "heap".getBytes(StandardCharsets.UTF_8)).toBytes();
      byte[] direct = new Ipv4Udp(InetAddress.getByName(tun.host(2)), InetAddress.getByName(tun.host(1)),
          40001, receiver.getLocalPort(), "direct".getBytes(StandardCharsets.UTF_8)).toBytes();

      context.runOnContext(v -> {
        // A slice with a non-zero reader index: the channel must write from there, not from 0.
        ByteBuf withPrefix = Unpooled.buffer().writeZero(7).writeBytes(heap);
        channel.write(withPrefix.skipBytes(7));
        channel.write(Unpooled.directBuffer().writeBytes(direct));
      });

      DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
      receiver.receive(received);
      String first = new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8);
      receiver.receive(received);
      String second = new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8);
      assertThat(java.util.List.of(first, second)).containsExactlyInAnyOrder("heap", "direct");
      TunChannelStats stats = statsOnLoop();
      assertThat(stats.packetsWritten).isEqualTo(2);
      assertThat(stats.bytesWritten).isEqualTo(heap.length + direct.length);
      assertThat(stats.writesDropped + stats.writeErrors).isZero();
    }
  }

  @Test
  void whileTheLoopIsBlockedAtMostTheLimitWaitsAndTheRestIsDroppedAndCounted() throws Exception {
    int limit = 8;
    int flood = 300; // below the device's queue (txqueuelen 500): the kernel itself drops none
    open(limit);
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    context.runOnContext(v -> {
      blocked.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      long before = channel.packetsReadSoFar();
      for (int i = 0; i < flood; i++) {
        byte[] payload = ("n" + i).getBytes(StandardCharsets.UTF_8);
        sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4789)));
      }
      // Until the reader has read the whole flood and nothing more comes (the kernel's own IPv6
      // packets must not be mistaken for the tail of ours), the hand-off never exceeds the limit.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      long read = -1;
      while (System.nanoTime() < deadline) {
        assertThat(channel.pending()).isLessThanOrEqualTo(limit);
        long now = channel.packetsReadSoFar() - before;
        if (now >= flood && now == read) {
          break;
        }
        read = now;
        Thread.sleep(200);
      }
      assertThat(read).as("the reader read the flood while the loop was blocked").isGreaterThanOrEqualTo(flood);
      assertThat(channel.pending()).as("the hand-off is full, no fuller").isEqualTo(limit);
    } finally {
      release.countDown();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (channel.pending() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // The kernel may send a packet of its own meanwhile: wait for a moment when none is in transit.
    TunChannelStats stats = statsOnLoop();
    while (stats.packetsRead != handledAtStats + stats.readsDropped && System.nanoTime() < deadline) {
      Thread.sleep(10);
      stats = statsOnLoop();
    }
    assertThat(stats.readsDropped).isGreaterThanOrEqualTo(flood - limit);
    assertThat(stats.packetsRead).as("every packet read is either handled or counted as dropped")
        .isEqualTo(handledAtStats + stats.readsDropped);
    long ours = packets.stream().map(Ipv4Udp::parse).filter(udp -> udp != null && udp.destinationPort() == 4789).count();
    assertThat(ours).isLessThanOrEqualTo(limit);
    packets.clear();

    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      byte[] payload = "after".getBytes(StandardCharsets.UTF_8);
      sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4790)));
      assertThat(nextUdp().payload()).as("the hand-off drained: packets flow again").isEqualTo(payload);
    }
  }

  @Test
  void shutdownStopsTheReaderPromptlyAndClosesTheDeviceOnce() throws Exception {
    open(NioTunChannel.DEFAULT_HANDOFF_LIMIT);
    Thread reader = readerThread().orElseThrow();

    long started = System.nanoTime();
    var first = channel.shutdown().toCompletionStage().toCompletableFuture();
    var second = channel.shutdown().toCompletionStage().toCompletableFuture();
    first.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(tun.linkExists()).isFalse();
    reader.join(2000);
    assertThat(reader.isAlive()).as("the reader thread ended").isFalse();
    assertThat(tookMillis).as("within a poll timeout or so, not a hang").isLessThan(3000);
    BlockingQueue<Boolean> refused = new LinkedBlockingQueue<>();
    context.runOnContext(v -> refused.add(!channel.write(Unpooled.wrappedBuffer(new byte[40]))));
    assertThat(refused.poll(5, TimeUnit.SECONDS)).as("a write after shutdown is refused, not sent to a closed fd").isTrue();
  }

  private void open(int handoffLimit) throws Exception {
    TunDevice device = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false)
        .mtu(1420).address(tun.host(1) + "/24").up();
    channel = new NioTunChannel(device, (EventLoop) context.nettyEventLoop(), 1420, handoffLimit, packet -> {
      handled.incrementAndGet();
      threads.add(Thread.currentThread().getName());
      packets.add(ByteBufUtil.getBytes(packet));
    });
    BlockingQueue<Boolean> opened = new LinkedBlockingQueue<>();
    context.runOnContext(v -> channel.open().onComplete(done -> opened.add(done.succeeded())));
    assertThat(opened.poll(10, TimeUnit.SECONDS)).isTrue();
  }

  private Optional<Thread> readerThread() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("ringway-tun-reader-" + tun.name)).findFirst();
  }

  private TunChannelStats statsOnLoop() throws Exception {
    BlockingQueue<TunChannelStats> result = new LinkedBlockingQueue<>();
    context.runOnContext(v -> {
      TunChannelStats live = channel.stats();
      TunChannelStats copy = new TunChannelStats();
      copy.packetsRead = live.packetsRead;
      copy.readsDropped = live.readsDropped;
      copy.packetsWritten = live.packetsWritten;
      copy.bytesWritten = live.bytesWritten;
      copy.writesDropped = live.writesDropped;
      copy.writeErrors = live.writeErrors;
      handledAtStats = handled.get();
      result.add(copy);
    });
    return result.poll(5, TimeUnit.SECONDS);
  }

  private Ipv4Udp nextUdp() throws InterruptedException {
    return Ipv4Udp.next(packets, tun.name);
  }
}
