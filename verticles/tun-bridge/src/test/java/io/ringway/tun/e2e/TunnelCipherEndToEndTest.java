package io.ringway.tun.e2e;

import static io.ringway.tun.e2e.TunnelPair.PORT_B;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_A;
import static io.ringway.tun.e2e.TunnelPair.TUNNEL_B;
import static io.ringway.tun.e2e.TunnelPair.UNDERLAY_B;
import static io.ringway.tun.e2e.TunnelPair.drops;
import static io.ringway.tun.e2e.TunnelPair.peerStats;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.ringway.tun.impl.WireFormat;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cipher negotiation end to end, on real TUN devices in namespaces made here (as
 * {@link TunnelEndToEndTest}): each data cipher carries TCP intact and is what both sides report; two
 * nodes with no cipher in common fail the handshake and say why in their logs; a rewritten offer
 * injected on the underlay fails the handshake.
 */
@Timeout(120)
class TunnelCipherEndToEndTest extends TunnelPairTest {

  private static final HexFormat HEX = HexFormat.of();

  @BeforeEach
  void requireIoUring() {
    Capabilities.require("io_uring", Transport.IO_URING.available(), String.valueOf(Transport.IO_URING.unavailabilityCause()));
  }
  @ParameterizedTest
  @ValueSource(strings = {"aes-256-gcm", "chacha20-poly1305"})
  void eachCipherCarriesTcpIntactAndBothSidesReportIt(String cipher) throws Exception {
    // A offers both (auto); B accepts only the one under test, so the handshake must pick it.
    pair.cipherB = cipher;
    pair.start(120);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    assertThat(pair.b.call("ping " + TUNNEL_A + " 3000", SHORT)).isEqualTo("true");
    pair.b.call("serve 5201", SHORT);
    String[] sent = pair.a.call("send " + TUNNEL_B + " 5201 " + (20L << 20), Duration.ofSeconds(60)).split(" ");
    assertThat(pair.b.call("served", Duration.ofSeconds(60))).isEqualTo(sent[0] + " " + sent[1]);
    System.out.println("tun e2e: 20 MiB across the tunnel under " + cipher + " in " + sent[2]);

    assertThat(peerStats(pair.a, "b").getString("cipher")).isEqualTo(cipher);
    assertThat(peerStats(pair.b, "a").getString("cipher")).isEqualTo(cipher);
    JsonObject a = new JsonObject(pair.a.call("stats", SHORT));
    assertThat(a.getJsonObject("cipher").getString("config")).isEqualTo("auto");
    assertThat(a.getJsonObject("cipher").getJsonArray("offers").getList())
        .containsExactlyInAnyOrder("aes-256-gcm", "chacha20-poly1305");
    assertThat(new JsonObject(pair.b.call("stats", SHORT)).getJsonObject("cipher").getJsonArray("offers").getList())
        .containsExactly(cipher);
    assertThat(drops(peerStats(pair.b, "a"), "BAD_TAG")).isZero();
    assertThat(pair.a.log()).contains("tun-bridge: cipher auto: offers [");
  }

  @Test
  void nodesWithNoCipherInCommonFailTheHandshakeAndSayWhy() throws Exception {
    pair.cipherA = "chacha20-poly1305";
    pair.cipherB = "aes-256-gcm";
    pair.start(120);

    assertThat(pair.a.call("ping " + TUNNEL_B + " 1500", SHORT)).isEqualTo("false");
    JsonObject a = peerStats(pair.a, "b");
    JsonObject b = peerStats(pair.b, "a");
    assertThat(a.getBoolean("session")).isFalse();
    assertThat(b.getLong("handshakes")).isZero();
    assertThat(drops(a, "NO_COMMON_CIPHER")).as("A got B's refusal").isPositive();
    assertThat(drops(b, "NO_COMMON_CIPHER")).isPositive();
    assertThat(pair.b.log()).contains("tun-bridge: peer a offers [chacha20-poly1305], this node accepts only"
        + " [aes-256-gcm] (tun.cipher: aes-256-gcm): no cipher in common, handshake refused");
    assertThat(pair.a.log()).contains("tun-bridge: peer b refused the handshake: it accepts none of the ciphers"
        + " this node offers, [chacha20-poly1305] (tun.cipher: chacha20-poly1305)");
  }

  @Test
  void reloadingTheCipherOfOneSideHealsAHandshakeThatHadNoCipherInCommon() throws Exception {
    pair.cipherA = "chacha20-poly1305";
    pair.cipherB = "aes-256-gcm";
    pair.start(120);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 1000", SHORT)).isEqualTo("false");

    // A reload of A's config (hot: no redeploy) that now offers both; A's next retry (every 5 s) succeeds.
    pair.cipherA = "auto";
    pair.a.call("reload " + pair.nodeA(120, java.util.List.of()).encode(), SHORT);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!pair.a.call("ping " + TUNNEL_B + " 1000", SHORT).equals("true")) {
      assertThat(System.nanoTime()).as("a session within 20 s of the reload").isLessThan(deadline);
    }
    assertThat(peerStats(pair.a, "b").getString("cipher")).isEqualTo("aes-256-gcm");
    assertThat(new JsonObject(pair.a.call("stats", SHORT)).getJsonObject("cipher").getString("config")).isEqualTo("auto");
    assertThat(pair.a.log()).contains("tun-bridge: config 2: cipher auto: offers [");
  }

  @Test
  void aRewrittenOfferOnTheUnderlayFailsTheHandshake() throws Exception {
    pair.start(120);
    pair.b.call("tap " + PORT_B + " 1", SHORT);
    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).isEqualTo("true");
    byte[] initiation = HEX.parseHex(pair.b.call("tapped", SHORT));
    long failedBefore = drops(new JsonObject(pair.b.call("stats", SHORT)), "HANDSHAKE_FAILED");
    long handshakes = peerStats(pair.b, "a").getLong("handshakes");

    // Strip AES-GCM from the offer: the bit that makes id 2 into 0 (the payload is stream-encrypted).
    int offerAt = WireFormat.INITIATION - WireFormat.TAG - WireFormat.OFFER;
    for (int i = 0; i < WireFormat.OFFER; i++) {
      byte[] rewritten = initiation.clone();
      rewritten[offerAt + i] ^= 2;
      pair.a.call("inject " + UNDERLAY_B + " " + PORT_B + " " + HEX.formatHex(rewritten), SHORT);
    }

    assertThat(pair.a.call("ping " + TUNNEL_B + " 3000", SHORT)).as("traffic continues").isEqualTo("true");
    assertThat(drops(new JsonObject(pair.b.call("stats", SHORT)), "HANDSHAKE_FAILED") - failedBefore).isEqualTo(2);
    assertThat(peerStats(pair.b, "a").getLong("handshakes")).as("no handshake answered").isEqualTo(handshakes);
  }
}
