package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The io_uring and epoll channels on a real device opened with IFF_VNET_HDR and offloads: packets
 * the kernel reads out arrive complete (checksums filled in), malformed inner packets handed to
 * the channel are dropped and counted without stopping the loop or leaking a buffer, and the good
 * ones around them still reach a local socket.
 */
class OffloadChannelTest {

  private final TunFixture tun = new TunFixture();
  private final BlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
  private Vertx vertx;
  private ContextInternal context;
  private TunChannel channel;

  private void open(String transport) throws Exception {
    TunFixture.requireTun();
    Transport chosen = transport.equals("epoll") ? Transport.EPOLL : Transport.IO_URING;
    Capabilities.require(transport, chosen.available(), String.valueOf(chosen.unavailabilityCause()));
    vertx = Vertx.builder().withTransport(chosen).build();
    context = (ContextInternal) vertx.getOrCreateContext();
    TunDevice device = TunDevice.open(TunDevice.DEV_NET_TUN, tun.name, false, true);
    assertThat(device.enableOffloads() & TunDevice.TUN_F_TSO4).isNotZero();
    device.mtu(1420).address(tun.host(1) + "/24").up();
    IoEventLoop loop = (IoEventLoop) context.nettyEventLoop();
    channel = transport.equals("epoll")
        ? new EpollTunChannel(device, loop, 1420, packet -> packets.add(ByteBufUtil.getBytes(packet)))
        : new IoUringTunChannel(device, loop, 4, 8, 1420, packet -> packets.add(ByteBufUtil.getBytes(packet)));
    channel.open().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeEverything() throws Exception {
    tun.tearDown(channel, vertx);
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aDatagramReadWithAVnetHeaderArrivesWhole(String transport) throws Exception {
    open(transport);
    byte[] payload = "ringway over tun with offloads".getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      sender.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(tun.host(2), 4789)));
      Ipv4Udp udp = Ipv4Udp.next(packets, tun.name);
      assertThat(udp.payload()).isEqualTo(payload);
      assertThat(udp.destinationPort()).isEqualTo(4789);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void malformedInnerPacketsAreDroppedAndCountedTheLoopGoesOnAndNothingLeaks(String transport) throws Exception {
    open(transport);
    try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(tun.host(1), 0))) {
      receiver.setSoTimeout(5000);
      InetAddress from = InetAddress.getByName(tun.host(2));
      InetAddress to = InetAddress.getByName(tun.host(1));
      byte[] good = new Ipv4Udp(from, to, 40000, receiver.getLocalPort(), "first".getBytes(StandardCharsets.UTF_8))
          .toBytes();
      byte[] after = new Ipv4Udp(from, to, 40000, receiver.getLocalPort(), "after".getBytes(StandardCharsets.UTF_8))
          .toBytes();
      byte[] longer = good.clone();
      ByteBuffer.wrap(longer).putShort(2, (short) 500);                       // total length beyond the bytes
      byte[] ihl = good.clone();
      ihl[0] = 0x41;                                                          // IHL 1
      byte[] tcp = TcpPackets.v4(from.getAddress(), to.getAddress(), 1, 2, 3, 4, TcpPackets.ACK, 9, new byte[0],
          new byte[8]);
      tcp[20 + 12] = (byte) 0xf0;                                             // TCP data offset past the end
      byte[] truncated = java.util.Arrays.copyOf(tcp, 24);                    // TCP header cut
      ByteBuffer.wrap(truncated).putShort(2, (short) 24);
      List<ByteBuf> written = new ArrayList<>();
      for (byte[] packet : List.of(good, longer, ihl, tcp, truncated, new byte[0], new byte[] {0x60}, after)) {
        // Direct and heap buffers alike (an empty wrapped array would be the unreleasable EMPTY_BUFFER).
        written.add(written.size() % 2 == 0 || packet.length == 0 ? PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(packet)
            : Unpooled.wrappedBuffer(packet));
      }
      context.runOnContext(v -> written.forEach(channel::write));

      for (String expected : List.of("first", "after")) {
        DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
        receiver.receive(received);
        assertThat(new String(received.getData(), 0, received.getLength(), StandardCharsets.UTF_8)).isEqualTo(expected);
      }
      TunOffload.Counters counters = onLoop(() -> {
        TunOffload.Counters copy = new TunOffload.Counters();
        copy.malformedDropped = channel.stats().offload.malformedDropped;
        copy.passedOneByOne = channel.stats().offload.passedOneByOne;
        return copy;
      });
      assertThat(counters.malformedDropped).isEqualTo(6);
      assertThat(counters.passedOneByOne).isEqualTo(2);
      assertThat(written).allSatisfy(buffer -> assertThat(buffer.refCnt()).as("released").isZero());
    }
  }

  private <T> T onLoop(java.util.function.Supplier<T> read) throws Exception {
    BlockingQueue<T> result = new LinkedBlockingQueue<>();
    context.runOnContext(v -> result.add(read.get()));
    return result.poll(5, TimeUnit.SECONDS);
  }
}
