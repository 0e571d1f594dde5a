package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.ringway.spi.config.TunPeerConfig;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge's state machine with real keys and real crypto, two bridges wired back to back in
 * memory and a clock the test moves: handshakes, key confirmation, rekey, keepalive, expiry,
 * retries, source checks and reloads, without waiting for real time. Buffers go in and out as the
 * sockets pass them (direct, released by whoever holds them last), and every one must end released.
 */
class BridgeTest {

  private static final int REKEY = 120;
  private static final long SECOND = 1_000_000_000L;

  /** One bridge and what it sent: datagrams to the underlay, packets to its TUN device. */
  private final class Node implements Bridge.Io {
    final StaticKeyPair key = StaticKeyPair.generate();
    final InetSocketAddress address;
    final Bridge bridge = new Bridge(key, 1420, REKEY, () -> now, CipherChoice.of("auto"));
    final List<byte[]> datagrams = new ArrayList<>();
    final List<InetSocketAddress> destinations = new ArrayList<>();
    final List<byte[]> tun = new ArrayList<>();
    /** The TUN device refuses writes (every slot in flight). */
    boolean tunBusy;

    Node(String ip) throws Exception {
      address = new InetSocketAddress(InetAddress.getByName(ip), 51820);
      bridge.attach(this);
    }

    /** Hands {@code packet} to the bridge as the TUN channel does: a direct buffer it releases after the call. */
    void fromTun(byte[] packet) {
      ByteBuf buffer = track(allocator.directBuffer(packet.length).writeBytes(packet));
      try {
        bridge.onTunPacket(buffer);
      } finally {
        buffer.release();
      }
    }

    /** As the underlay: a direct datagram released after the call, as SimpleChannelInboundHandler does. */
    void fromUdp(byte[] datagram, InetSocketAddress sender) {
      ByteBuf buffer = track(allocator.directBuffer(datagram.length).writeBytes(datagram));
      try {
        bridge.onDatagram(buffer, sender);
      } finally {
        buffer.release();
      }
    }

    @Override
    public boolean writeTun(ByteBuf packet) {
      track(packet);
      try {
        if (tunBusy) {
          return false;
        }
        tun.add(ByteBufUtil.getBytes(packet));
        return true;
      } finally {
        packet.release();
      }
    }

    @Override
    public void sendUdp(ByteBuf datagram, InetSocketAddress to) {
      track(datagram);
      datagrams.add(ByteBufUtil.getBytes(datagram));
      destinations.add(to);
      datagram.release();
    }

    @Override
    public void sendUdp(int length, InetSocketAddress to, Consumer<ByteBuf> writer) {
      ByteBuf datagram = allocator.directBuffer(length);
      writer.accept(datagram);
      sendUdp(datagram, to);
    }

    JsonObject peer() {
      return bridge.statsJson().getJsonArray("peers").getJsonObject(0);
    }
  }


  /** Unpooled, so a released buffer is never recycled into a live one, and metered. */
  private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
  /** Every buffer that went into or came out of a bridge. */
  private final List<ByteBuf> buffers = new ArrayList<>();
  private long now = 1_000 * SECOND;
  private Node a;
  private Node b;

  @AfterEach
  void everyBufferWasReleased() {
    a.bridge.close();
    b.bridge.close();
    assertThat(buffers).isNotEmpty().allSatisfy(buffer -> assertThat(buffer.refCnt()).as("reference count").isZero());
    assertThat(allocator.metric().usedDirectMemory()).as("direct memory still held").isZero();
  }

  @BeforeEach
  void twoBridges() throws Exception {
    a = new Node("192.0.2.1");
    b = new Node("192.0.2.2");
    a.bridge.applyPeers(List.of(peer("b", b, "192.0.2.2:51820", "10.0.0.2/32", 0)), endpoints());
    b.bridge.applyPeers(List.of(peer("a", a, null, "10.0.0.1/32", 0)), endpoints());
  }

  @Test
  void aPacketWaitingForAHandshakeArrivesOnceTheResponderConfirmedTheKeys() {
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    assertThat(a.datagrams).hasSize(1).allMatch(d -> d[0] == WireFormat.TYPE_INITIATION && d.length == WireFormat.INITIATION);

    deliver();

    assertThat(b.tun).hasSize(1);
    assertThat(b.tun.get(0)).isEqualTo(ipv4("10.0.0.1", "10.0.0.2", 100));
    assertThat(a.peer().getLong("handshakes")).isEqualTo(1);
    assertThat(b.peer().getString("endpoint")).as("learned from the initiation").isEqualTo("192.0.2.1:51820");
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 60));
    deliver();
    assertThat(a.tun).hasSize(1);
  }

  @Test
  void onlyTheInitiatorRekeysOnSendingAndTrafficGoesOn() {
    established();
    now += REKEY * SECOND;

    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 60));
    assertThat(types(b)).as("the responder keeps its session").containsExactly(WireFormat.TYPE_DATA);
    deliver();
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 60));
    assertThat(types(a)).containsExactly(WireFormat.TYPE_DATA, WireFormat.TYPE_INITIATION);
    deliver();

    assertThat(a.peer().getLong("handshakes")).isEqualTo(2);
    assertThat(b.tun).hasSize(2);
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 60));
    deliver();
    assertThat(a.tun).hasSize(3);
    assertThat(a.bridge.statsJson().getJsonObject("drops")).isEmpty();
    assertThat(b.bridge.statsJson().getJsonObject("drops")).isEmpty();
  }

  @Test
  void anIdlePeerGetsKeepalivesAndAnIdleSessionExpires() throws Exception {
    a.bridge.applyPeers(List.of(peer("b", b, "192.0.2.2:51820", "10.0.0.2/32", 25)), endpoints());
    established();
    now += 24 * SECOND;
    a.bridge.tick();
    assertThat(a.datagrams).isEmpty();

    now += 2 * SECOND;
    a.bridge.tick();
    assertThat(a.datagrams).hasSize(1).allMatch(d -> d.length == WireFormat.DATA_HEADER + WireFormat.TAG);
    deliver();
    assertThat(b.tun).as("a keepalive is not a packet").hasSize(1);

    now += 3L * REKEY * SECOND;
    b.bridge.tick();
    assertThat(b.peer().getBoolean("session")).isFalse();
  }

  @Test
  void anUnansweredInitiationIsRetriedThenAbandoned() {
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    a.datagrams.clear();
    now += 4 * SECOND;
    a.bridge.tick();
    assertThat(a.datagrams).isEmpty();
    now += SECOND;
    a.bridge.tick();
    assertThat(types(a)).containsExactly(WireFormat.TYPE_INITIATION);

    for (int i = 0; i < 18; i++) {
      now += 5 * SECOND;
      a.bridge.tick();
    }
    assertThat(a.peer().getInteger("queued")).isZero();
    assertThat(a.peer().getJsonObject("drops").getLong("NO_SESSION")).isEqualTo(1);
  }

  @Test
  void packetsAreRoutedAndCheckedByPrefix() {
    established();
    a.fromTun(ipv4("10.0.0.1", "10.0.0.9", 60));
    assertThat(a.bridge.statsJson().getJsonObject("drops").getLong("NO_ROUTE")).isEqualTo(1);

    // B's kernel sends from an address A never gave it: A refuses it after decrypting.
    b.fromTun(ipv4("10.0.0.7", "10.0.0.1", 60));
    deliver();
    assertThat(a.tun).hasSize(1);
    assertThat(a.peer().getJsonObject("drops").getLong("SOURCE_NOT_ALLOWED")).isEqualTo(1);
    a.fromTun(new byte[] {0x50, 1, 2});
    assertThat(a.bridge.statsJson().getJsonObject("drops").getLong("NOT_IP")).isEqualTo(1);
  }

  @Test
  void aReloadKeepsThePeersThatStayAndForgetsTheOthers() throws Exception {
    established();
    Node c = new Node("192.0.2.3");
    a.bridge.applyPeers(List.of(peer("c", c, "192.0.2.3:51820", "10.0.0.3/32", 0),
        peer("b", b, "192.0.2.2:51820", "10.0.0.2/32", 0)), endpoints());

    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 60));
    assertThat(types(a)).as("b's session survived").containsExactly(WireFormat.TYPE_DATA);
    deliver();
    assertThat(b.tun).hasSize(2);

    a.bridge.applyPeers(List.of(peer("c", c, "192.0.2.3:51820", "10.0.0.3/32", 0)), endpoints());
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 60));
    deliver();
    assertThat(a.tun).hasSize(1);
    assertThat(a.bridge.statsJson().getJsonObject("drops").getLong("UNKNOWN_INDEX")).as("b's keys are gone").isEqualTo(1);
  }

  @Test
  void forgedTruncatedReplayedAndUnwritablePacketsAreDroppedCountedAndReleased() throws Exception {
    established();
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 80));
    byte[] genuine = b.datagrams.remove(0);
    b.destinations.clear();
    byte[] forged = genuine.clone();
    forged[forged.length - 1] ^= 1;
    InetSocketAddress spoofed = new InetSocketAddress(InetAddress.getByName("192.0.2.66"), 4444);

    a.fromUdp(forged, spoofed);
    a.fromUdp(Arrays.copyOf(genuine, 20), spoofed);
    a.fromUdp(genuine, b.address);
    a.fromUdp(genuine, spoofed);
    assertThat(a.tun).as("only the genuine one, once").hasSize(2);
    assertThat(a.tun.get(1)).isEqualTo(ipv4("10.0.0.2", "10.0.0.1", 80));
    assertThat(a.peer().getString("endpoint")).as("no drop moved the endpoint").isEqualTo("192.0.2.2:51820");

    a.tunBusy = true;
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 80));
    deliver();
    assertThat(a.tun).hasSize(2);
    JsonObject drops = a.bridge.statsJson().getJsonObject("drops");
    assertThat(drops.getMap()).containsOnlyKeys("BAD_TAG", "TRUNCATED", "REPLAY", "TUN_BUSY")
        .allSatisfy((reason, count) -> assertThat(count).as(reason).isEqualTo(1L));
  }

  /** A handshake and one packet each way. */
  private void established() {
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    deliver();
    b.fromTun(ipv4("10.0.0.2", "10.0.0.1", 100));
    deliver();
    assertThat(a.tun).hasSize(1);
    assertThat(b.tun).hasSize(1);
  }

  @Test
  void theResponderPicksItsFirstSuiteThatTheInitiatorOffersAndAReloadAppliesFromTheNextHandshake() {
    a.bridge.ciphers(CipherChoice.of("chacha20-poly1305"));
    b.bridge.ciphers(new CipherChoice("auto", List.of(CipherSuite.AES_256_GCM, CipherSuite.CHACHA20_POLY1305), "test"));
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    deliver();
    assertThat(b.tun).hasSize(1);
    assertThat(a.peer().getString("cipher")).as("the only one A offers").isEqualTo("chacha20-poly1305");
    assertThat(b.peer().getString("cipher")).isEqualTo("chacha20-poly1305");

    a.bridge.ciphers(new CipherChoice("auto", List.of(CipherSuite.CHACHA20_POLY1305, CipherSuite.AES_256_GCM), "test"));
    now += REKEY * SECOND;
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    deliver();
    assertThat(b.tun).hasSize(2);
    assertThat(a.peer().getLong("handshakes")).isEqualTo(2);
    assertThat(a.peer().getString("cipher")).as("B's preference among A's offer").isEqualTo("aes-256-gcm");
    assertThat(b.peer().getString("cipher")).isEqualTo("aes-256-gcm");
    assertThat(a.bridge.statsJson().getJsonObject("cipher").getJsonArray("offers").getList())
        .containsExactly("chacha20-poly1305", "aes-256-gcm");
  }

  @Test
  void noSuiteInCommonFailsTheHandshakeOnBothSidesWithARefusalAndNothingIsSent() {
    a.bridge.ciphers(CipherChoice.of("chacha20-poly1305"));
    b.bridge.ciphers(CipherChoice.of("aes-256-gcm"));
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    deliver();

    assertThat(b.tun).isEmpty();
    assertThat(a.peer().getBoolean("session")).isFalse();
    assertThat(b.peer().getBoolean("session")).isFalse();
    assertThat(a.peer().getLong("handshakes")).isZero();
    assertThat(b.peer().getLong("handshakes")).isZero();
    assertThat(a.peer().getJsonObject("drops").getLong("NO_COMMON_CIPHER")).as("the initiator got the refusal").isEqualTo(1);
    assertThat(b.peer().getJsonObject("drops").getLong("NO_COMMON_CIPHER")).isEqualTo(1);
    assertThat(b.bridge.statsJson().getJsonObject("drops").getLong("NO_COMMON_CIPHER")).isEqualTo(1);

    // Once one side accepts what the other offers, the next retry succeeds.
    b.bridge.ciphers(CipherChoice.of("auto"));
    now += Bridge.RETRY_NANOS;
    a.bridge.tick();
    deliver();
    assertThat(b.tun).hasSize(1);
    assertThat(b.peer().getString("cipher")).isEqualTo("chacha20-poly1305");
  }

  @Test
  void anOnPathRewriteOfTheOfferOrTheChoiceFailsTheHandshake() {
    a.bridge.ciphers(CipherChoice.of("auto"));
    b.bridge.ciphers(CipherChoice.of("auto"));
    a.fromTun(ipv4("10.0.0.1", "10.0.0.2", 100));
    byte[] initiation = a.datagrams.remove(0);
    a.destinations.remove(0);
    // The offer is the payload's last two plaintext bytes, before its 16-byte tag. A stream cipher
    // encrypts it, so flipping a bit of the ciphertext flips the same bit of the offer: AES (2) becomes 0,
    // leaving ChaCha20 only — a downgrade, if the handshake did not authenticate its payload.
    int offerAt = WireFormat.INITIATION - WireFormat.TAG - WireFormat.OFFER;
    for (int i = 0; i < WireFormat.OFFER; i++) {
      byte[] rewritten = initiation.clone();
      rewritten[offerAt + i] ^= 2;
      b.fromUdp(rewritten, a.address);
    }
    assertThat(b.datagrams).as("no answer to a rewritten offer").isEmpty();
    assertThat(b.bridge.statsJson().getJsonObject("drops").getLong("HANDSHAKE_FAILED")).isEqualTo(2);

    b.fromUdp(initiation, a.address);
    byte[] response = b.datagrams.remove(0);
    b.destinations.remove(0);
    byte[] rewritten = response.clone();
    rewritten[WireFormat.RESPONSE - WireFormat.TAG - WireFormat.CHOICE] ^= 3; // aes-256-gcm (2) -> chacha (1)
    a.fromUdp(rewritten, b.address);
    assertThat(a.peer().getBoolean("session")).as("no session from a rewritten choice").isFalse();
    assertThat(a.peer().getJsonObject("drops").getLong("HANDSHAKE_FAILED")).isEqualTo(1);
    assertThat(b.tun).isEmpty();
  }

  /** Hands every datagram to the bridge it was sent to, until both are quiet. */
  private void deliver() {
    while (!a.datagrams.isEmpty() || !b.datagrams.isEmpty()) {
      for (Node from : List.of(a, b)) {
        Node to = from == a ? b : a;
        List<byte[]> datagrams = new ArrayList<>(from.datagrams);
        List<InetSocketAddress> destinations = new ArrayList<>(from.destinations);
        from.datagrams.clear();
        from.destinations.clear();
        for (int i = 0; i < datagrams.size(); i++) {
          if (destinations.get(i).equals(to.address)) {
            to.fromUdp(datagrams.get(i), from.address);
          }
        }
      }
    }
  }

  private ByteBuf track(ByteBuf buffer) {
    buffers.add(buffer);
    return buffer;
  }

  private static List<Byte> types(Node node) {
    return node.datagrams.stream().map(d -> d[0]).toList();
  }

  private Map<String, InetSocketAddress> endpoints() {
    return Map.of("192.0.2.2:51820", b.address, "192.0.2.1:51820", a.address,
        "192.0.2.3:51820", new InetSocketAddress("192.0.2.3", 51820));
  }

  private static TunPeerConfig peer(String name, Node node, String endpoint, String prefix, int keepalive) {
    return new TunPeerConfig(name, node.key.publicKeyBase64(), endpoint, List.of(prefix), keepalive);
  }

  private static byte[] ipv4(String source, String destination, int length) {
    byte[] packet = new byte[length];
    packet[0] = 0x45;
    try {
      System.arraycopy(InetAddress.getByName(source).getAddress(), 0, packet, 12, 4);
      System.arraycopy(InetAddress.getByName(destination).getAddress(), 0, packet, 16, 4);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
    return packet;
  }
}
