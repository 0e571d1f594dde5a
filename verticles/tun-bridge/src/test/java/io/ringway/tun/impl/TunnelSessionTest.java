package io.ringway.tun.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.Noise;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The crypto core without I/O: handshake, key derivation, seal/open on buffers, every drop reason
 * it owns, and that every buffer it hands out or takes in ends with a reference count of zero.
 */
class TunnelSessionTest {

  private static final int MTU = 1420;

  /** The suite the sessions run; {@link TunnelSessionAesGcmTest} runs every test again under AES-256-GCM. */
  CipherSuite suite() {
    return CipherSuite.CHACHA20_POLY1305;
  }

  private List<CipherSuite> offer() {
    return List.of(suite());
  }

  private CipherChoice choice() {
    return new CipherChoice(suite().configName(), List.of(suite()), "test");
  }

  /** Unpooled, so a released buffer is never recycled into a live one, and metered. */
  private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
  /** Every buffer the test made or got, checked to be released after each test. */
  private final List<ByteBuf> buffers = new ArrayList<>();
  private final StaticKeyPair alice = StaticKeyPair.generate();
  private final StaticKeyPair bob = StaticKeyPair.generate();
  private final DropCounters handshakeDrops = new DropCounters();
  private TunnelSession aliceSession;
  private TunnelSession bobSession;

  @BeforeEach
  void handshake() {
    NoiseHandshake.Initiator initiator = new NoiseHandshake.Initiator(alice, bob.publicKey(), 11, MTU, offer());
    byte[] initiation = initiator.initiation();
    assertThat(initiation).hasSize(WireFormat.INITIATION);

    NoiseHandshake.Responded responded = NoiseHandshake.respond(bob, initiation, 22, MTU, handshakeDrops, choice());
    assertThat(responded).isNotNull();
    assertThat(responded.remotePublicKey()).isEqualTo(alice.publicKey());
    assertThat(responded.response()).hasSize(WireFormat.RESPONSE);

    aliceSession = initiator.complete(responded.response(), handshakeDrops);
    bobSession = responded.session();
    assertThat(aliceSession).isNotNull();
    assertThat(handshakeDrops.total()).isZero();
    assertThat(aliceSession.suite()).isEqualTo(suite());
    assertThat(bobSession.suite()).isEqualTo(suite());
  }

  @AfterEach
  void everyBufferWasReleased() {
    assertThat(buffers).allSatisfy(buffer -> assertThat(buffer.refCnt()).as("reference count").isZero());
    assertThat(allocator.metric().usedDirectMemory()).as("direct memory still held").isZero();
  }

  @Test
  void eachInitiationCarriesANewerTimestampThanTheLast() {
    byte[] first = NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(alice, bob.publicKey(), 1, MTU, offer()).initiation(),
        2, MTU, handshakeDrops, choice()).timestamp();
    byte[] second = NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(alice, bob.publicKey(), 3, MTU, offer()).initiation(),
        4, MTU, handshakeDrops, choice()).timestamp();

    assertThat(first).hasSize(WireFormat.TIMESTAMP);
    assertThat(Arrays.compareUnsigned(second, first)).isPositive();
    assertThat(java.nio.ByteBuffer.wrap(first).getLong() * 1000).isCloseTo(System.currentTimeMillis(),
        org.assertj.core.data.Offset.offset(60_000L));
  }

  @Test
  void theHandshakeAgreesOnIndexesAndBothSidesDeriveTheSameDataKeysEachWay() {
    assertThat(aliceSession.localIndex()).isEqualTo(11);
    assertThat(aliceSession.remoteIndex()).isEqualTo(22);
    assertThat(bobSession.remoteIndex()).isEqualTo(11);
    byte[] full = random(MTU);
    for (int i = 0; i < 3; i++) {
      assertThat(open(bobSession, seal(aliceSession, bytes("ping " + i)))).isEqualTo(bytes("ping " + i));
      assertThat(open(aliceSession, seal(bobSession, bytes("pong " + i)))).isEqualTo(bytes("pong " + i));
    }
    assertThat(open(bobSession, seal(aliceSession, full))).isEqualTo(full);
    assertThat(open(aliceSession, seal(bobSession, full))).isEqualTo(full);
    assertThat(bobSession.drops().total() + aliceSession.drops().total()).isZero();
  }

  @Test
  void aDataKeyIsTheChaCha20KeystreamOfTheNoiseTransportKey() throws Exception {
    byte[] k = random(WireFormat.KEY);
    CipherState transport = Noise.createCipher("ChaChaPoly");
    transport.initializeKey(k, 0);

    byte[] derived = NoiseHandshake.dataKey(transport);

    // ENCRYPT(k, 0, empty, zeros): block 0 keys Poly1305, the ciphertext is keystream from block 1.
    Cipher chacha = Cipher.getInstance("ChaCha20");
    chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "ChaCha20"), new ChaCha20ParameterSpec(new byte[12], 1));
    assertThat(derived).isEqualTo(chacha.doFinal(new byte[WireFormat.KEY])).isNotEqualTo(k);
  }

  @Test
  void theWireFormatIsWhatNoiseJavaSealedUnderTheSameKey() throws Exception {
    byte[] key = random(WireFormat.KEY);
    TunnelSession session = new TunnelSession(CipherSuite.CHACHA20_POLY1305, 1, 2, key.clone(), random(WireFormat.KEY), MTU);
    CipherState noise = Noise.createCipher("ChaChaPoly");
    noise.initializeKey(key, 0);
    byte[] packet = random(300);
    seal(session, new byte[0]).release();
    ByteBuf message = seal(session, packet);

    byte[] expected = new byte[WireFormat.DATA_HEADER + packet.length + WireFormat.TAG];
    ByteBuffer.wrap(expected).put(WireFormat.TYPE_DATA).putInt(2).putLong(1);
    noise.setNonce(1);
    noise.encryptWithAd(Arrays.copyOf(expected, WireFormat.DATA_HEADER), packet, 0, expected, WireFormat.DATA_HEADER,
        packet.length);
    assertThat(ByteBufUtil.getBytes(message)).isEqualTo(expected);
    message.release();
  }

  @Test
  void aDataMessageHasTheDocumentedLayout() {
    byte[] packet = new byte[100];
    ByteBuf message = seal(aliceSession, packet);
    seal(aliceSession, packet).release();
    ByteBuf third = seal(aliceSession, packet);

    assertThat(message.readableBytes()).isEqualTo(WireFormat.DATA_HEADER + 100 + WireFormat.TAG);
    assertThat(message.isDirect()).isTrue();
    assertThat(message.getByte(0)).isEqualTo(WireFormat.TYPE_DATA);
    assertThat(message.getInt(1)).isEqualTo(22);
    assertThat(message.getLong(5)).isZero();
    assertThat(third.getLong(5)).as("big-endian on the wire").isEqualTo(2);
    assertThat(ByteBufUtil.getBytes(message, 13, 100)).as("encrypted").isNotEqualTo(packet);
    message.release();
    third.release();
  }

  @Test
  void sealingReadsThePacketWhereItLiesAndLeavesItAsItWas() {
    ByteBuf packet = track(allocator.directBuffer(64)).writeBytes(bytes("xxhello"));
    packet.skipBytes(2);
    ByteBuf message = aliceSession.seal(packet, allocator);
    assertThat(packet.readerIndex()).isEqualTo(2);
    assertThat(packet.refCnt()).isEqualTo(1);
    packet.release();
    assertThat(open(bobSession, track(message))).isEqualTo(bytes("hello"));
  }

  @Test
  void heapBuffersWorkToo() {
    ByteBuf read = track(Unpooled.wrappedBuffer(bytes("from the NIO reader")));
    ByteBuf sealed = track(aliceSession.seal(read, allocator));
    read.release();
    ByteBuf heap = track(Unpooled.buffer(sealed.readableBytes()).writeBytes(sealed));
    sealed.release();
    ByteBuf packet = bobSession.open(heap);
    assertThat(packet.toString(StandardCharsets.UTF_8)).isEqualTo("from the NIO reader");
    packet.release();
    heap.release();
  }

  @Test
  void openingDecryptsInPlaceAndTheSliceKeepsTheDatagramAlive() {
    ByteBuf message = seal(aliceSession, bytes("inner packet"));
    ByteBuf datagram = track(allocator.directBuffer(100)).writeBytes(bytes("junk")).writeBytes(message);
    message.release();
    datagram.skipBytes(4);

    ByteBuf packet = track(bobSession.open(datagram));

    assertThat(packet.toString(StandardCharsets.UTF_8)).isEqualTo("inner packet");
    assertThat(packet.hasMemoryAddress()).isTrue();
    assertThat(packet.memoryAddress()).as("in place").isEqualTo(datagram.memoryAddress() + 4 + WireFormat.DATA_HEADER);
    assertThat(datagram.readerIndex()).isEqualTo(4);
    assertThat(datagram.refCnt()).as("retained for the slice").isEqualTo(2);
    datagram.release();
    assertThat(packet.toString(StandardCharsets.UTF_8)).as("outlives the caller's release").isEqualTo("inner packet");
    packet.release();
  }

  @Test
  void anEmptyPacketIsAKeepaliveThatOpensToNothing() {
    ByteBuf keepalive = seal(aliceSession, new byte[0]);
    assertThat(keepalive.readableBytes()).isEqualTo(WireFormat.DATA_HEADER + WireFormat.TAG);
    assertThat(open(bobSession, keepalive)).isEmpty();
  }

  @Test
  void aForgedTagIsDroppedLeavesTheBufferAloneAndTheNextDecryptsStillWork() {
    ByteBuf message = seal(aliceSession, bytes("secret"));
    ByteBuf next = seal(aliceSession, bytes("after"));
    ByteBuf forged = track(message.copy());
    forged.setByte(forged.writerIndex() - 1, forged.getByte(forged.writerIndex() - 1) ^ 1);
    byte[] forgedBytes = ByteBufUtil.getBytes(forged);

    assertThat(bobSession.open(forged)).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
    assertThat(forged.refCnt()).as("not retained").isEqualTo(1);
    byte[] after = ByteBufUtil.getBytes(forged);
    if (suite() == CipherSuite.CHACHA20_POLY1305) {
      // The JDK's ChaCha20-Poly1305 checks the tag before it writes.
      assertThat(after).as("not decrypted into").isEqualTo(forgedBytes);
    } else {
      // Its AES-GCM decrypts while it hashes and zeroes what it wrote when the tag fails: the
      // forgery's body may be wiped, its header and tag (and anything outside it) never.
      int body = after.length - WireFormat.DATA_HEADER - WireFormat.TAG;
      assertThat(Arrays.copyOfRange(after, WireFormat.DATA_HEADER + body, after.length))
          .isEqualTo(Arrays.copyOfRange(forgedBytes, WireFormat.DATA_HEADER + body, after.length));
      assertThat(Arrays.copyOf(after, WireFormat.DATA_HEADER)).isEqualTo(Arrays.copyOf(forgedBytes, WireFormat.DATA_HEADER));
      assertThat(Arrays.copyOfRange(after, WireFormat.DATA_HEADER, WireFormat.DATA_HEADER + body))
          .as("no plaintext of a forgery is left behind").isIn(
              Arrays.copyOfRange(forgedBytes, WireFormat.DATA_HEADER, WireFormat.DATA_HEADER + body), new byte[body]);
    }
    forged.release();
    // Same key and nonce as the forgery: decrypting again must work, and the window did not move.
    assertThat(open(bobSession, message)).isEqualTo(bytes("secret"));
    assertThat(open(bobSession, next)).isEqualTo(bytes("after"));
  }

  @Test
  void aTamperedHeaderFailsTheTagBecauseTheHeaderIsAuthenticated() {
    ByteBuf message = seal(aliceSession, bytes("secret"));
    message.setByte(12, message.getByte(12) ^ 1); // counter 0 -> 1: still fresh, but not what was sealed
    assertThat(open(bobSession, message)).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
  }

  @Test
  void aMessageSealedWithAnotherSessionsKeysIsABadTag() {
    NoiseHandshake.Initiator other = new NoiseHandshake.Initiator(alice, bob.publicKey(), 11, MTU, offer());
    TunnelSession otherAlice = other.complete(
        NoiseHandshake.respond(bob, other.initiation(), 22, MTU, handshakeDrops, choice()).response(), handshakeDrops);
    assertThat(open(bobSession, seal(otherAlice, bytes("x")))).isNull();
    assertThat(bobSession.drops().get(DropReason.BAD_TAG)).isEqualTo(1);
  }

  @Test
  void aResponseToAnotherInitiationFailsTheHandshake() {
    TunnelSession mallory = new NoiseHandshake.Initiator(StaticKeyPair.generate(), bob.publicKey(), 11, MTU, offer())
        .complete(NoiseHandshake.respond(bob, new NoiseHandshake.Initiator(StaticKeyPair.generate(),
            bob.publicKey(), 11, MTU, offer()).initiation(), 22, MTU, handshakeDrops, choice()).response(), handshakeDrops);
    assertThat(mallory).as("a response to someone else's initiation").isNull();
    assertThat(handshakeDrops.get(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
  }

  @Test
  void aReplayedCounterIsDropped() {
    ByteBuf message = seal(aliceSession, bytes("once"));
    ByteBuf replay = track(message.copy());
    assertThat(open(bobSession, message)).isEqualTo(bytes("once"));
    assertThat(open(bobSession, replay)).isNull();
    assertThat(bobSession.drops().get(DropReason.REPLAY)).isEqualTo(1);
  }

  @Test
  void outOfOrderWithinTheWindowIsAcceptedAndTooOldIsDropped() {
    ByteBuf[] messages = new ByteBuf[ReplayWindow.WINDOW + 10];
    for (int i = 0; i < messages.length; i++) {
      messages[i] = seal(aliceSession, bytes("m"));
    }
    assertThat(open(bobSession, messages[messages.length - 1])).isNotNull();
    assertThat(open(bobSession, messages[messages.length - 2])).isNotNull();
    assertThat(open(bobSession, messages[20])).isNotNull();
    assertThat(open(bobSession, messages[0])).as("older than the window").isNull();
    assertThat(bobSession.drops().get(DropReason.REPLAY)).isEqualTo(1);
    for (int i = 1; i < messages.length - 2; i++) {
      if (i != 20) {
        messages[i].release();
      }
    }
  }

  @Test
  void truncatedOversizedWrongTypeAndUnknownIndexAreDroppedAndCounted() {
    ByteBuf message = seal(aliceSession, bytes("x"));
    ByteBuf truncated = track(message.copy(0, WireFormat.DATA_HEADER + WireFormat.TAG - 1));
    ByteBuf oversized = track(allocator.directBuffer().writeZero(WireFormat.DATA_HEADER + MTU + WireFormat.TAG + 1));
    ByteBuf wrongType = track(message.copy());
    wrongType.setByte(0, 9);
    ByteBuf wrongIndex = track(message.copy());
    wrongIndex.setByte(4, wrongIndex.getByte(4) ^ 1);
    for (ByteBuf bad : List.of(truncated, oversized, wrongType, wrongIndex)) {
      assertThat(open(bobSession, bad)).isNull();
    }

    DropCounters drops = bobSession.drops();
    assertThat(drops.get(DropReason.TRUNCATED)).isEqualTo(1);
    assertThat(drops.get(DropReason.OVERSIZED)).isEqualTo(1);
    assertThat(drops.get(DropReason.UNKNOWN_TYPE)).isEqualTo(1);
    assertThat(drops.get(DropReason.UNKNOWN_INDEX)).isEqualTo(1);
    assertThat(open(bobSession, message)).as("the real one still opens").isEqualTo(bytes("x"));
  }

  @Test
  void aPacketLongerThanTheMtuIsNotSealed() {
    ByteBuf packet = track(allocator.directBuffer().writeZero(MTU + 1));
    assertThatThrownBy(() -> aliceSession.seal(packet, allocator)).isInstanceOf(IllegalArgumentException.class);
    packet.release();
  }

  @Test
  void aDestroyedSessionNeitherSealsNorOpens() {
    ByteBuf message = seal(aliceSession, bytes("late"));
    aliceSession.destroy();
    bobSession.destroy();
    bobSession.destroy();

    ByteBuf packet = track(Unpooled.wrappedBuffer(bytes("x")));
    assertThatThrownBy(() -> aliceSession.seal(packet, allocator)).isInstanceOf(IllegalStateException.class);
    packet.release();
    assertThat(open(bobSession, message)).isNull();
    assertThat(bobSession.drops().get(DropReason.UNKNOWN_INDEX)).isEqualTo(1);
  }

  @Test
  void anInitiationForAnotherResponderOrTruncatedFailsTheHandshake() {
    byte[] initiation = new NoiseHandshake.Initiator(alice, StaticKeyPair.generate().publicKey(), 1, MTU, offer())
        .initiation();
    assertThat(NoiseHandshake.respond(bob, initiation, 2, MTU, handshakeDrops, choice())).isNull();
    assertThat(NoiseHandshake.respond(bob, Arrays.copyOf(initiation, 50), 2, MTU, handshakeDrops, choice())).isNull();
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

  /** Seals {@code packet} from a direct buffer, as the TUN device hands it over; the caller owns the result. */
  private ByteBuf seal(TunnelSession session, byte[] packet) {
    ByteBuf in = track(allocator.directBuffer(packet.length + 1).writeBytes(packet));
    try {
      return track(session.seal(in, allocator));
    } finally {
      in.release();
    }
  }

  /**
   * Opens and releases {@code message} as the underlay does (the caller of onDatagram releases the
   * datagram); the inner packet's bytes, or null if it was dropped.
   */
  private byte[] open(TunnelSession session, ByteBuf message) {
    try {
      ByteBuf packet = session.open(message);
      if (packet == null) {
        return null;
      }
      track(packet);
      try {
        return ByteBufUtil.getBytes(packet);
      } finally {
        packet.release();
      }
    } finally {
      message.release();
    }
  }

  private ByteBuf track(ByteBuf buffer) {
    buffers.add(buffer);
    return buffer;
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
