package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringway.spi.config.TunPeerConfig;
import io.ringway.testkit.fuzz.Fuzzer;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tunnel's receive path as the underlay drives it ({@link Bridge#onDatagram}, which dispatches to
 * the handshake and to {@link TunnelSession#open}), fed forged, truncated, replayed and mutated
 * datagrams. Seeds: shapes of each message type (src/test/resources/fuzz/tunnel/) and the real
 * handshake and data messages of a session set up between two bridges in memory, all already
 * delivered, so every input is a replay or a forgery. For every input: nothing is thrown, exactly
 * one drop is counted, nothing reaches the TUN device or the underlay, and no direct buffer stays
 * allocated. Afterwards the session still carries packets both ways.
 */
class TunnelFuzzTest {

  /** One bridge and what it emitted; releases what it is given, as the real sockets do. */
  private static final class Side implements Bridge.Io {
    final StaticKeyPair key = StaticKeyPair.generate();
    final InetSocketAddress address;
    final Bridge bridge;
    final List<byte[]> datagrams = new ArrayList<>();
    final List<byte[]> tun = new ArrayList<>();
    final ByteBufAllocator allocator;

    Side(String ip, ByteBufAllocator allocator) throws Exception {
      this.address = new InetSocketAddress(InetAddress.getByName(ip), 51820);
      this.allocator = allocator;
      this.bridge = new Bridge(key, 1420, 120, System::nanoTime, CipherChoice.of("auto"));
      bridge.attach(this);
    }

    void fromUdp(byte[] datagram, InetSocketAddress sender) {
      ByteBuf buffer = allocator.directBuffer(Math.max(1, datagram.length)).writeBytes(datagram);
      try {
        bridge.onDatagram(buffer, sender);
      } finally {
        buffer.release();
      }
    }

    void fromTun(byte[] packet) {
      ByteBuf buffer = allocator.directBuffer(packet.length).writeBytes(packet);
      try {
        bridge.onTunPacket(buffer);
      } finally {
        buffer.release();
      }
    }

    @Override
    public boolean writeTun(ByteBuf packet) {
      tun.add(ByteBufUtil.getBytes(packet));
      packet.release();
      return true;
    }

    @Override
    public void sendUdp(ByteBuf datagram, InetSocketAddress to) {
      datagrams.add(ByteBufUtil.getBytes(datagram));
      datagram.release();
    }

    @Override
    public void sendUdp(int length, InetSocketAddress to, Consumer<ByteBuf> writer) {
      ByteBuf datagram = allocator.directBuffer(length);
      writer.accept(datagram);
      sendUdp(datagram, to);
    }

  }

  /** Unpooled and metered: a buffer not released shows as direct memory still used. */
  private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);

  @Test
  void everyForgedReplayedOrMalformedDatagramIsDroppedAndCounted() throws Exception {
    Side a = new Side("192.0.2.1", allocator);
    Side b = new Side("192.0.2.2", allocator);
    a.bridge.applyPeers(List.of(new TunPeerConfig("b", b.key.publicKeyBase64(), "192.0.2.2:51820", List.of("10.0.0.2/32"), 0)),
        Map.of("192.0.2.2:51820", b.address));
    b.bridge.applyPeers(List.of(new TunPeerConfig("a", a.key.publicKeyBase64(), null, List.of("10.0.0.1/32"), 0)), Map.of());

    // A real session; every message of it becomes a seed once b has seen it.
    List<byte[]> seen = new ArrayList<>();
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    for (int round = 0; round < 4; round++) {
      for (byte[] datagram : drain(a.datagrams)) {
        seen.add(datagram);
        b.fromUdp(datagram, a.address);
      }
      for (byte[] datagram : drain(b.datagrams)) {
        seen.add(datagram);
        a.fromUdp(datagram, b.address);
      }
      a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 20 + round * 300));
    }
    for (byte[] datagram : drain(a.datagrams)) {
      seen.add(datagram);
      b.fromUdp(datagram, a.address);
    }
    int delivered = b.tun.size();
    assertThat(delivered).as("packets through the session before fuzzing").isEqualTo(5);
    byte[] data = seen.stream().filter(d -> d[0] == WireFormat.TYPE_DATA).findFirst().orElseThrow();
    int liveIndex = ByteBuffer.wrap(data).getInt(1);

    Fuzzer fuzzer = Fuzzer.target("tunnel").maxLength(1600)
        .dictionary("\u0001", "\u0002", "\u0004", "\u0000\u0000\u0000\u0000", "\u00ff\u00ff\u00ff\u00ff",
            "\u0045\u0000", "\u0060\u0000");
    seen.forEach(fuzzer::seed);
    Fuzzer.Report report = fuzzer.run((input, random) -> {
      byte[] datagram = aimAtTheLiveSession(input, liveIndex, random);
      JsonObject dropsBefore = b.bridge.statsJson().getJsonObject("drops");
      int tunBefore = b.tun.size();
      b.fromUdp(datagram, random.nextBoolean() ? a.address : new InetSocketAddress("198.51.100.9", 4444));
      JsonObject dropsAfter = b.bridge.statsJson().getJsonObject("drops");
      List<String> counted = dropsAfter.fieldNames().stream()
          .filter(reason -> dropsAfter.getLong(reason) != dropsBefore.getLong(reason, 0L)).sorted().toList();
      assertThat(total(dropsAfter) - total(dropsBefore)).as("drops counted for this datagram: %s", counted).isEqualTo(1);
      assertThat(b.tun.size()).as("packets written to TUN").isEqualTo(tunBefore);
      assertThat(b.datagrams.size()).as("datagrams sent in answer").isZero();
      assertThat(allocator.metric().usedDirectMemory()).as("direct memory still held").isZero();
      if (datagram.length == 0) {
        return "empty " + counted;
      }
      boolean known = datagram[0] == 1 || datagram[0] == 2 || datagram[0] == 4;
      return "type " + (known ? datagram[0] : "other") + " " + sizeClass(datagram) + " " + counted;
    });
    System.out.println(report);

    // Nothing a forgery did moved the replay window or the endpoint: both directions still work.
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 60));
    drain(a.datagrams).forEach(d -> b.fromUdp(d, a.address));
    assertThat(b.tun.size()).isEqualTo(delivered + 1);
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 60));
    drain(b.datagrams).forEach(d -> a.fromUdp(d, b.address));
    assertThat(a.tun.get(a.tun.size() - 1)).isEqualTo(ipv4("10.0.0.2", "10.0.0.1", 60));
    a.bridge.close();
    b.bridge.close();
    assertThat(allocator.metric().usedDirectMemory()).isZero();
  }

  /**
   * Half the data messages get the live session's index and a fresh counter, so they get past the
   * cheap checks into the AEAD, where only the tag can refuse them.
   */
  private static byte[] aimAtTheLiveSession(byte[] input, int liveIndex, SplittableRandom random) {
    if (input.length < WireFormat.DATA_HEADER || input[0] != WireFormat.TYPE_DATA || random.nextBoolean()) {
      return input;
    }
    ByteBuffer header = ByteBuffer.wrap(input);
    header.putInt(1, liveIndex);
    if (random.nextBoolean()) {
      header.putLong(5, 1_000 + random.nextLong(1L << 40));
    }
    return input;
  }

  /** Shorter than, as long as, or longer than its type's message: a coarse outcome for guidance. */
  private static String sizeClass(byte[] datagram) {
    int expected = switch (datagram[0]) {
      case WireFormat.TYPE_INITIATION -> WireFormat.INITIATION;
      case WireFormat.TYPE_RESPONSE -> WireFormat.RESPONSE;
      default -> WireFormat.DATA_HEADER + WireFormat.TAG;
    };
    return datagram.length < expected ? "short" : datagram.length == expected ? "exact" : "long";
  }

  private static long total(JsonObject drops) {
    return drops.fieldNames().stream().mapToLong(drops::getLong).sum();
  }

  private static List<byte[]> drain(List<byte[]> datagrams) {
    List<byte[]> all = new ArrayList<>(datagrams);
    datagrams.clear();
    return all;
  }

  private static byte[] ipv4(String source, String destination, int length) throws Exception {
    byte[] packet = new byte[length];
    packet[0] = 0x45;
    System.arraycopy(InetAddress.getByName(source).getAddress(), 0, packet, 12, 4);
    System.arraycopy(InetAddress.getByName(destination).getAddress(), 0, packet, 16, 4);
    return packet;
  }
}
