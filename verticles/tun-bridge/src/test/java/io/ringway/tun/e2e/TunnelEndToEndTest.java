package io.ringway.tun.e2e;

import static io.ringway.tun.e2e.TunnelPair.PORT_A;
import static io.ringway.tun.e2e.TunnelPair.PORT_B;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_A;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_B;
import static io.ringway.tun.e2e.TunnelPair.UNDERLAY_A;
import static io.ringway.tun.e2e.TunnelPair.UNDERLAY_B;
import static io.ringway.tun.e2e.TunnelPair.drops;
import static io.ringway.tun.e2e.TunnelPair.peerStats;
import static io.ringway.tun.e2e.TunnelPair.sh;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tunnel end to end, for real: two network namespaces, a veth underlay, two bridges in child
 * JVMs with their own TUN devices, the kernel's ICMP and TCP across the tunnel.
 */
@Timeout(120)
class TunnelEndToEndTest extends TunnelPairTest {

  private static final HexFormat HEX = HexFormat.of();

  /** The tests that run on the default transport; the epoll and NIO ones need only their own. */
  private static void requireIoUring() {
    Capabilities.require("io_uring", Transport.IO_URING.available(), String.valueOf(Transport.IO_URING.unavailabilityCause()));
  }

  /** A pings B and B pings A across the tunnel. */
  private void pingBothWays() throws Exception {
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(pair.b.call("ping " + TUNNEL_A + " 3000", SHORT)).isEqualTo("true");
  }

  /** Sends {@code bytes} over TCP from A to B through the tunnel, checks B got them all with the same checksum. */
  private String transferIntact(long bytes, Duration limit) throws Exception {
    pair.b.call("serve 5201", SHORT);
    String[] sent = pair.a.call("send " + TUNNEL_B + " 5201 " + bytes, limit).split(" ");
    assertThat(pair.b.call("served", limit)).isEqualTo(sent[0] + " " + sent[1]);
    return sent[2];
  }

  @Test
  void pingAndFiftyMebibytesOfTcpCrossTheTunnelIntactThroughRekeys() throws Exception {
    requireIoUring();
    pair.start(2);
    pingBothWays();
    String took = transferIntact(50L << 20, Duration.ofSeconds(90));
    System.out.println("tun e2e: 50 MiB across the tunnel in " + took);

    // Sessions are 2 s old by now or soon: sending on one starts a new handshake, traffic goes on.
    eventually(Duration.ofSeconds(15), () -> pair.a.call("ping " + TUNNEL_B + " 1000", SHORT).equals("true")
        && peerStats(pair.a, "b").getLong("handshakes") >= 3);
    JsonObject stats = new JsonObject(pair.a.call("stats", SHORT));
    System.out.println("tun e2e: A " + stats.getJsonObject("tun") + " " + stats.getJsonObject("offloads") + " "
        + stats.getJsonObject("udp") + "\ntun e2e: B " + new JsonObject(pair.b.call("stats", SHORT)).getJsonObject("offloads"));
    assertThat(stats.getString("ioPath")).isEqualTo("io_uring");
    assertThat(stats.getString("thread")).startsWith("vert.x-eventloop-thread-");
    assertThat(stats.getJsonObject("tun").getLong("packetsRead")).isGreaterThan(30_000);
    JsonObject b = peerStats(pair.a, "b");
    assertThat(b.getLong("txBytes")).isGreaterThanOrEqualTo(50L << 20);
    assertThat(b.getString("endpoint")).isEqualTo(UNDERLAY_B + ":" + PORT_B);
    assertThat(b.getLong("handshakeAgeMillis")).isBetween(0L, 10_000L);
    assertThat(stats.getJsonObject("drops").getLong("UNKNOWN_INDEX", 0L)).as("no packet stranded by a rekey").isZero();
    for (String reason : List.of("BAD_TAG", "REPLAY", "UNKNOWN_INDEX", "SOURCE_NOT_ALLOWED")) {
      assertThat(drops(b, reason)).as(reason + " on the path").isZero();
    }
  }

  @Test
  void onTheEpollTransportTheTunFdIsServedByReadinessOnTheLoop() throws Exception {
    Capabilities.require("epoll", Transport.EPOLL.available(), String.valueOf(Transport.EPOLL.unavailabilityCause()));
    pair.start(120, "epoll");
    pingBothWays();
    String took = transferIntact(20L << 20, Duration.ofSeconds(60));
    System.out.println("tun e2e: 20 MiB across the tunnel on epoll in " + took);

    JsonObject stats = new JsonObject(pair.b.call("stats", SHORT));
    assertThat(stats.getString("ioPath")).isEqualTo("epoll");
    assertThat(stats.getString("thread")).startsWith("vert.x-eventloop-thread-");
    assertThat(stats.getJsonObject("tun").getLong("packetsWritten")).isGreaterThan(14_000);
  }

  @Test
  void onTheNioTransportAReaderThreadFeedsTheLoopAndFiftyMebibytesArriveIntact() throws Exception {
    pair.start(2, "nio");
    pingBothWays();
    String took = transferIntact(50L << 20, Duration.ofSeconds(90));

    for (NodeProcess node : List.of(pair.a, pair.b)) {
      JsonObject stats = new JsonObject(node.call("stats", SHORT));
      JsonObject tun = stats.getJsonObject("tun");
      System.out.println("tun e2e: 50 MiB across the tunnel on NIO in " + took + ", node "
          + (node == pair.a ? "A" : "B") + " tun " + tun.encode());
      assertThat(stats.getString("ioPath")).isEqualTo("reader-thread");
      assertThat(stats.getString("thread")).as("the bridge runs on the loop").startsWith("vert.x-eventloop-thread-");
      // A reads the segments from its device, B writes them to its own; ACKs go the other way, fewer.
      assertThat(tun.getLong(node == pair.a ? "packetsRead" : "packetsWritten")).isGreaterThan(30_000);
      assertThat(tun.getLong("readErrors")).isZero();
      // A slow loop may drop at the hand-off (TCP resends, the checksum above still holds); never all of it.
      assertThat(tun.getLong("readsDropped")).isLessThan(tun.getLong("packetsRead") / 10);
    }
    assertThat(peerStats(pair.a, "b").getLong("txBytes")).isGreaterThanOrEqualTo(50L << 20);
    eventually(Duration.ofSeconds(15), () -> pair.a.call("ping " + TUNNEL_B + " 1000", SHORT).equals("true")
        && peerStats(pair.a, "b").getLong("handshakes") >= 3);
  }

  @Test
  void forgedReplayedTruncatedAndStrangerPacketsAreDroppedAndCountedWhileTrafficContinues() throws Exception {
    requireIoUring();
    pair.start(120);
    pair.b.call("tap " + PORT_B + " 1", SHORT);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    String initiation = pair.b.call("tapped", SHORT);
    pair.b.call("tap " + PORT_B + " 4", SHORT);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    byte[] genuine = HEX.parseHex(pair.b.call("tapped", SHORT));
    JsonObject before = peerStats(pair.b, "a");

    String target = "inject " + UNDERLAY_B + " " + PORT_B + " ";
    pair.a.call(target + HEX.formatHex(genuine), SHORT);
    pair.a.call(target + initiation, SHORT);
    pair.a.call(target + HEX.formatHex(genuine, 0, 20), SHORT);
    pair.a.call(target + HEX.formatHex(sealedWithAnotherKey(genuine)), SHORT);
    pair.a.call("stranger " + UNDERLAY_B + " " + PORT_B + " " + pair.publicB, SHORT);

    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).as("traffic continues").isEqualTo("true");
    JsonObject after = peerStats(pair.b, "a");
    assertThat(drops(after, "REPLAY") - drops(before, "REPLAY")).as("a data packet and an initiation").isEqualTo(2);
    assertThat(after.getLong("handshakes")).as("the replayed initiation was not answered").isEqualTo(before.getLong("handshakes"));
    assertThat(drops(after, "TRUNCATED") - drops(before, "TRUNCATED")).isEqualTo(1);
    assertThat(drops(after, "BAD_TAG") - drops(before, "BAD_TAG")).isEqualTo(1);
    assertThat(after.getLong("rxPackets") - before.getLong("rxPackets")).as("only the genuine ping packets").isBetween(1L, 3L);
    assertThat(after.getString("endpoint")).as("no unauthenticated packet moves the endpoint")
        .isEqualTo(UNDERLAY_A + ":" + PORT_A);
    JsonObject node = new JsonObject(pair.b.call("stats", SHORT));
    assertThat(drops(node, "HANDSHAKE_FAILED")).as("an initiation from a key that is no peer").isEqualTo(1);
    assertThat(node.getJsonObject("tun").getLong("writeErrors")).isZero();
  }

  @Test
  void aRoamingPeersNewUnderlayAddressIsFollowed() throws Exception {
    requireIoUring();
    pair.start(120);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(peerStats(pair.b, "a").getString("endpoint")).isEqualTo(UNDERLAY_A + ":" + PORT_A);

    // A moves to 192.168.78.1 and loses its old address: B's replies to the old endpoint go nowhere.
    sh("ip", "-n", pair.nsA, "addr", "add", "192.168.78.1/24", "dev", pair.vethA);
    sh("ip", "-n", pair.nsB, "route", "add", "192.168.78.0/24", "dev", pair.vethB);
    sh("ip", "-n", pair.nsA, "route", "replace", "192.168.77.0/24", "dev", pair.vethA, "src", "192.168.78.1");
    sh("ip", "-n", pair.nsA, "addr", "del", UNDERLAY_A + "/24", "dev", pair.vethA);

    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(peerStats(pair.b, "a").getString("endpoint")).isEqualTo("192.168.78.1:" + PORT_A);
    assertThat(pair.b.call("ping " + TUNNEL_A + " 3000", SHORT)).as("B now sends to the new endpoint").isEqualTo("true");
  }

  @Test
  void peersChangeOnConfigAppliedWithoutDisturbingTheOthers() throws Exception {
    requireIoUring();
    pair.start(120);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    long handshakes = peerStats(pair.a, "b").getLong("handshakes");

    JsonObject withC = pair.nodeA(120, List.of(TunnelPair.peer("c", newPublicKey(), null, "10.99.0.3/32")));
    pair.a.call("reload " + withC.encode(), SHORT);
    eventually(SHORT, () -> new JsonObject(pair.a.call("stats", SHORT)).getJsonArray("peers").size() == 2);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(pair.a.call("ping 10.99.0.3 500", SHORT)).as("c has no endpoint yet").isEqualTo("false");
    assertThat(drops(peerStats(pair.a, "c"), "NO_ENDPOINT")).isPositive();
    assertThat(pair.a.call("ping 10.99.0.9 500", SHORT)).isEqualTo("false");
    assertThat(drops(new JsonObject(pair.a.call("stats", SHORT)), "NO_ROUTE")).isPositive();

    pair.a.call("reload " + pair.nodeA(120, List.of()).encode(), SHORT);
    eventually(SHORT, () -> new JsonObject(pair.a.call("stats", SHORT)).getJsonArray("peers").size() == 1);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(peerStats(pair.a, "b").getLong("handshakes")).as("b's session survived both reloads").isEqualTo(handshakes);
  }

  /** The genuine packet's header with a fresh counter, sealed under a random key: what a forger can make. */
  private static byte[] sealedWithAnotherKey(byte[] genuine) {
    try {
      ByteBuffer message = ByteBuffer.allocate(genuine.length);
      long counter = ByteBuffer.wrap(genuine).getLong(5) + 100;
      message.put(genuine, 0, 5).putLong(counter);
      byte[] header = java.util.Arrays.copyOf(message.array(), 13);
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      byte[] nonce = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putLong(counter).array();
      Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      cipher.updateAAD(header);
      message.put(cipher.doFinal(new byte[genuine.length - 13 - 16]));
      return message.array();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String newPublicKey() {
    return io.ringway.tun.impl.StaticKeyPair.generate().publicKeyBase64();
  }

  private static void eventually(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
