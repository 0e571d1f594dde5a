package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The crypto core without I/O: handshake, seal/open, and every drop reason it owns. */
class TunnelSessionTest {

  private static final int MTU = 1420;

  private final StaticKeyPair alice = StaticKeyPair.generate();
  private final StaticKeyPair bob = StaticKeyPair.generate();
  private final DropCounters handshakeDrops = new DropCounters();
  private TunnelSession aliceSession;
  private TunnelSession bobSession;

  @BeforeEach
  void handshake() {
    NoiseHandshake.Initiator initiator = new NoiseHandshake.Initiator(alice, bob.publicKey(), 11, MTU);
    byte[] initiation = initiator.initiation();
    assertThat(initiation).hasSize(WireFormat.INITIATION);

    NoiseHandshake.Responded responded = NoiseHandshake.respond(bob, initiation, 22, MTU, handshakeDrops);
    assertThat(responded).isNotNull();
    assertThat(responded.remotePublicKey()).isEqualTo(alice.publicKey());
    assertThat(responded.response()).hasSize(WireFormat.RESPONSE);

    aliceSession = initiator.complete(responded.response(), handshakeDrops);
    bobSession = responded.session();
    assertThat(aliceSession).isNotNull();
    assertThat(handshakeDrops.total()).isZero();
  }

  @Test
  void eachInitiationCarriesANewerTimestampThanTheLast() {
    byte[] first = NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(alice, bob.publicKey(), 1, MTU).initiation(),
        2, MTU, handshakeDrops).timestamp();
    byte[] second = NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(alice, bob.publicKey(), 3, MTU).initiation(),
        4, MTU, handshakeDrops).timestamp();

    assertThat(first).hasSize(WireFormat.TIMESTAMP);
    assertThat(Arrays.compareUnsigned(second, first)).isPositive();
    assertThat(java.nio.ByteBuffer.wrap(first).getLong() * 1000).isCloseTo(System.currentTimeMillis(),
        org.assertj.core.data.Offset.offset(60_000L));
  }

  @Test
  void theHandshakeAgreesOnIndexesAndKeysBothWays() {
    assertThat(aliceSession.localIndex()).isEqualTo(11);
    assertThat(aliceSession.remoteIndex()).isEqualTo(22);
    assertThat(bobSession.remoteIndex()).isEqualTo(11);
    assertThat(open(bobSession, aliceSession.seal(bytes("ping"), 0, 4))).isEqualTo(bytes("ping"));
    assertThat(open(aliceSession, bobSession.seal(bytes("pong"), 0, 4))).isEqualTo(bytes("pong"));
  }

  @Test
  void aDataMessageHasTheDocumentedLayout() {
    byte[] packet = new byte[100];
    byte[] message = aliceSession.seal(packet, 0, packet.length);
    aliceSession.seal(packet, 0, packet.length);
    byte[] third = aliceSession.seal(packet, 0, packet.length);

    assertThat(message).hasSize(WireFormat.DATA_HEADER + 100 + WireFormat.TAG);
    assertThat(message[0]).isEqualTo(WireFormat.TYPE_DATA);
    assertThat(ByteBuffer.wrap(message).getInt(1)).isEqualTo(22);
    assertThat(ByteBuffer.wrap(message).getLong(5)).isZero();
    assertThat(ByteBuffer.wrap(third).getLong(5)).isEqualTo(2);
    assertThat(Arrays.copyOfRange(message, 13, 113)).as("encrypted").isNotEqualTo(packet);
  }

  @Test
  void anEmptyPacketIsAKeepaliveThatOpensToNothing() {
    byte[] keepalive = aliceSession.seal(new byte[0], 0, 0);
    assertThat(keepalive).hasSize(WireFormat.DATA_HEADER + WireFormat.TAG);
    assertThat(open(bobSession, keepalive)).isEmpty();
  }

  @Test
  void aForgedTagIsDroppedAndTheCounterStaysUsable() {
    byte[] message = aliceSession.seal(bytes("secret"), 0, 6);
    byte[] forged = message.clone();
    forged[forged.length - 1] ^= 1;
    assertThat(open(bobSession, forged)).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
    // The forgery did not consume counter 0 in the window.
    assertThat(open(bobSession, message)).isEqualTo(bytes("secret"));
  }

  @Test
  void aTamperedHeaderFailsTheTagBecauseTheHeaderIsAuthenticated() {
    byte[] message = aliceSession.seal(bytes("secret"), 0, 6);
    message[12] ^= 1; // counter 0 -> 1: still fresh, but not what was sealed
    assertThat(open(bobSession, message)).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
  }

  @Test
  void aMessageSealedWithAnotherSessionsKeysIsABadTag() {
    NoiseHandshake.Initiator other = new NoiseHandshake.Initiator(alice, bob.publicKey(), 11, MTU);
    TunnelSession otherAlice = other.complete(
        NoiseHandshake.respond(bob, other.initiation(), 22, MTU, handshakeDrops).response(), handshakeDrops);
    assertThat(open(bobSession, otherAlice.seal(bytes("x"), 0, 1))).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
  }

  @Test
  void aResponseToAnotherInitiationFailsTheHandshake() {
    TunnelSession mallory = new NoiseHandshake.Initiator(StaticKeyPair.generate(), bob.publicKey(), 11, MTU)
        .complete(NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(StaticKeyPair.generate(),
            bob.publicKey(), 11, MTU).initiation(), 22, MTU, handshakeDrops).response(), handshakeDrops);
    assertThat(mallory).as("a response to someone else's initiation").isNull();
    assertThat(handshakeDrops.get(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
  }

  @Test
  void aReplayedCounterIsDropped() {
    byte[] message = aliceSession.seal(bytes("once"), 0, 4);
    assertThat(open(bobSession, message)).isEqualTo(bytes("once"));
    assertThat(open(bobSession, message)).isNull();
    assertThat(bobSession.drops().get(DropReason.REPLAY)).isEqualTo(1);
  }

  @Test
  void outOfOrderWithinTheWindowIsAcceptedAndTooOldIsDropped() {
    byte[][] messages = new byte[ReplayWindow.WINDOW + 10][];
    for (int i = 0; i < messages.length; i++) {
      messages[i] = aliceSession.seal(bytes("m"), 0, 1);
    }
    assertThat(open(bobSession, messages[messages.length - 1])).isNotNull();
    assertThat(open(bobSession, messages[messages.length - 2])).isNotNull();
    assertThat(open(bobSession, messages[20])).isNotNull();
    assertThat(open(bobSession, messages[0])).as("older than the window").isNull();
    assertThat(bobSession.drops().get(DropReason.REPLAY)).isEqualTo(1);
  }

  @Test
  void truncatedOversizedWrongTypeAndUnknownIndexAreDroppedAndCounted() {
    byte[] message = aliceSession.seal(bytes("x"), 0, 1);
    assertThat(bobSession.open(message, 0, WireFormat.DATA_HEADER + WireFormat.TAG - 1)).isNull();
    assertThat(bobSession.open(new byte[WireFormat.DATA_HEADER + MTU + WireFormat.TAG + 1], 0,
        WireFormat.DATA_HEADER + MTU + WireFormat.TAG + 1)).isNull();
    byte[] wrongType = message.clone();
    wrongType[0] = 9;
    assertThat(open(bobSession, wrongType)).isNull();
    byte[] wrongIndex = message.clone();
    wrongIndex[4] ^= 1;
    assertThat(open(bobSession, wrongIndex)).isNull();

    DropCounters drops = bobSession.drops();
    assertThat(drops.get(DropReason.TRUNCATED)).isEqualTo(1);
    assertThat(drops.get(DropReason.OVERSIZED)).isEqualTo(1);
    assertThat(drops.get(DropReason.UNKNOWN_TYPE)).isEqualTo(1);
    assertThat(drops.get(DropReason.UNKNOWN_INDEX)).isEqualTo(1);
    assertThat(open(bobSession, message)).as("the real one still opens").isEqualTo(bytes("x"));
  }

  @Test
  void aPacketLongerThanTheMtuIsNotSealed() {
    assertThatThrownBy(() -> aliceSession.seal(new byte[MTU + 1], 0, MTU + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anInitiationForAnotherResponderOrTruncatedFailsTheHandshake() {
    byte[] initiation = new NoiseHandshake.Initiator(alice, StaticKeyPair.generate().publicKey(), 1, MTU)
        .initiation();
    assertThat(NoiseHandshake.respond(bob, initiation, 2, MTU, handshakeDrops)).isNull();
    assertThat(NoiseHandshake.respond(bob, Arrays.copyOf(initiation, 50), 2, MTU, handshakeDrops)).isNull();
    assertThat(handshakeDrops.get(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
    assertThat(handshakeDrops.get(DropReason.TRUNCATED)).isEqualTo(1);
  }

  @Test
  void aPrivateKeyRoundTripsThroughBase64WithoutShowingIt() {
    String encoded = java.util.Base64.getEncoder().encodeToString(alice.privateKey());
    StaticKeyPair again = StaticKeyPair.fromPrivateKey(encoded);
    assertThat(again.publicKey()).isEqualTo(alice.publicKey());
    assertThat(again.toString()).doesNotContain(encoded);
    assertThatThrownBy(() -> StaticKeyPair.fromPrivateKey("AAAA"))
        .hasMessage("private key must be 32 bytes, got 3");
  }

  private static byte[] open(TunnelSession session, byte[] message) {
    return session.open(message, 0, message.length);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
