package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.ringway.testkit.Capabilities;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real TUN device, real io_uring ring of a Vert.x event loop, real kernel UDP on both sides. */
class IoUringTunChannelTest {

  private final TunFixture tun = new TunFixture();
  private final BlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> threads = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ContextInternal context;
  private IoUringTunChannel channel;

  @BeforeEach
  void openTunOnTheLoop() throws Exception {
    TunFixture.requireTun();
    Capabilities.require("io_uring", Transport.IO_URING.available(),
        String.valueOf(Transport.IO_URING.unavailabilityCause()));
    vertx = Vertx.builder().withTransport(Transport.IO_URING).build();
    context = (ContextInternal) vertx.getOrCreateContext();
    TunDevice device = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false)
        .mtu(1420).address(tun.host(1) + "/24").up();
    channel = new IoUringTunChannel(device, (IoEventLoop) context.nettyEventLoop(), 4, 8, 1420,
        packet -> {
          threads.add(Thread.currentThread().getName());
          packets.add(ByteBufUtil.getBytes(packet));
        });
    channel.open().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeEverything() throws Exception {
    tun.tearDown(channel, vertx);
  }

  @Test
  void aDatagramRoutedIntoTheTunArrivesAsOneIpv4PacketOnTheEventLoop() throws Exception {
    byte[] payload = "ringway over tun".getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4789)));

      Ipv4Udp udp = nextUdp();
      assertThat(udp.source()).isEqualTo(InetAddress.getByName(tun.host(1)));
      assertThat(udp.destination()).isEqualTo(InetAddress.getByName(tun.host(2)));
      assertThat(udp.sourcePort()).isEqualTo(sender.getLocalPort());
      assertThat(udp.destinationPort()).isEqualTo(4789);
      assertThat(udp.payload()).isEqualTo(payload);
      assertThat(threads.poll()).startsWith("vert.x-eventloop-thread-");
    }
  }

  @Test
  void manyDatagramsAreAllReadWithSeveralReadsInFlight() throws Exception {
    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      for (int i = 0; i < 200; i++) {
        byte[] payload = ("n" + i).getBytes(StandardCharsets.UTF_8);
        sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4789)));
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      while (seen.size() < 200) {
        seen.add(new String(nextUdp().payload(), StandardCharsets.UTF_8));
      }
      assertThat(seen).contains("n0", "n199");
    }
  }

  @Test
  void aPacketWrittenWithIoUringIsDeliveredToALocalSocket() throws Exception {
    byte[] payload = "from the tunnel".getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      receiver.setSoTimeout(5000);
      byte[] packet = new Ipv4Udp(InetAddress.getByName(tun.host(2)), InetAddress.getByName(tun.host(1)),
          40000, receiver.getLocalPort(), payload).toBytes();

      // A heap buffer on purpose: the channel copies it to direct memory for the ring.
      context.runOnContext(v -> channel.write(Unpooled.wrappedBuffer(packet)));

      DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
      receiver.receive(received);
      assertThat(new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8))
          .isEqualTo("from the tunnel");
      assertThat(received.getAddress()).isEqualTo(InetAddress.getByName(tun.host(2)));
      assertThat(received.getPort()).isEqualTo(40000);
      TunChannelStats stats = statsOnLoop();
      assertThat(stats.packetsWritten).isEqualTo(1);
      assertThat(stats.bytesWritten).isEqualTo(packet.length);
    }
  }

  @Test
  void everyWriteIsAccountedForAndSlotsComeBack() throws Exception {
    byte[] garbage = new byte[40]; // version nibble 0: not an IP packet
    // Three rounds of 8 writes through 8 slots; each round waits until the ring returned them all.
    for (int round = 1; round <= 3; round++) {
      context.runOnContext(v -> {
        for (int i = 0; i < 8; i++) {
          channel.write(Unpooled.wrappedBuffer(garbage));
        }
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      TunChannelStats stats = statsOnLoop();
      while (stats.writeErrors + stats.packetsWritten < 8L * round && System.nanoTime() < deadline) {
        Thread.sleep(10);
        stats = statsOnLoop();
      }
      // Whether the kernel refuses garbage (EINVAL) or swallows it, each write completed once.
      assertThat(stats.writeErrors + stats.packetsWritten).isEqualTo(8L * round);
      assertThat(stats.writesDropped).as("slots of earlier rounds were freed").isZero();
    }
  }

  private TunChannelStats statsOnLoop() throws Exception {
    BlockingQueue<TunChannelStats> result = new LinkedBlockingQueue<>();
    context.runOnContext(v -> {
      TunChannelStats copy = new TunChannelStats();
      TunChannelStats live = channel.stats();
      copy.packetsWritten = live.packetsWritten;
      copy.bytesWritten = live.bytesWritten;
      copy.writeErrors = live.writeErrors;
      copy.writesDropped = live.writesDropped;
      result.add(copy);
    });
    return result.poll(5, TimeUnit.SECONDS);
  }

  private Ipv4Udp nextUdp() throws InterruptedException {
    return Ipv4Udp.next(packets, tun.name);
  }
}
