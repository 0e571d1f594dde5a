package io.ringway.tun.impl;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.HandshakeState;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.ShortBufferException;

/**
 * The two-message Noise IK handshake framed as {@link WireFormat} initiation and response. The
 * initiator knows the responder's static key; the responder learns the initiator's from message 1
 * and must check it against its peers before answering. The initiation's payload offers data
 * cipher suites and the response's names the one chosen (or none): both ride inside the Noise
 * messages, encrypted, authenticated and hashed into the transcript, so no one on the path can
 * change or strip the offer (downgrade) without failing the handshake. Each side ends with a
 * {@link TunnelSession} running the chosen suite.
 */
public final class NoiseHandshake {

  /** Last timestamp handed out, in nanoseconds since the epoch: timestamps only grow within a process. */
  private static final AtomicLong LAST_TIMESTAMP = new AtomicLong();

  private NoiseHandshake() {
  }

  /**
   * A timestamp newer than any earlier one from this process, for the initiation payload: the
   * responder refuses an initiation not newer than the last it accepted from that peer, so a
   * recorded initiation cannot be replayed to reset the peer's sessions.
   */
  static byte[] timestamp() {
    Instant now = Instant.now();
    long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    long nanos = LAST_TIMESTAMP.accumulateAndGet(wall, (last, candidate) -> Math.max(last + 1, candidate));
    return ByteBuffer.allocate(WireFormat.TIMESTAMP).putLong(nanos / 1_000_000_000L)
        .putInt((int) (nanos % 1_000_000_000L)).array();
  }

  /** The initiator's half-done handshake, waiting for the response. */
  public static final class Initiator {

    private final HandshakeState noise;
    private final int localIndex;
    private final int maxPayload;
    private final List<CipherSuite> offer;
    private final byte[] initiation;
    private boolean refused;

    /**
     * Starts a handshake and writes the initiation message, offering {@code offer} (preferred
     * first, at most {@link WireFormat#OFFER}) in its encrypted payload.
     */
    public Initiator(StaticKeyPair local, byte[] remotePublicKey, int localIndex, int maxPayload,
        List<CipherSuite> offer) {
      if (offer.isEmpty() || offer.size() > WireFormat.OFFER) {
        throw new IllegalArgumentException("offer 1 to " + WireFormat.OFFER + " cipher suites, got " + offer);
      }
      this.localIndex = localIndex;
      this.maxPayload = maxPayload;
      this.offer = List.copyOf(offer);
      this.noise = newState(HandshakeState.INITIATOR, local);
      noise.getRemotePublicKey().setPublicKey(remotePublicKey, 0);
      noise.start();
      byte[] payload = Arrays.copyOf(timestamp(), WireFormat.TIMESTAMP + WireFormat.OFFER);
      for (int i = 0; i < offer.size(); i++) {
        payload[WireFormat.TIMESTAMP + i] = offer.get(i).id();
      }
      ByteBuffer message = ByteBuffer.allocate(WireFormat.INITIATION);
      message.put(WireFormat.TYPE_INITIATION).putInt(localIndex);
      try {
        noise.writeMessage(message.array(), 5, payload, 0, payload.length);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Noise initiation", e);
      }
      this.initiation = message.array();
    }

    public byte[] initiation() {
      return initiation.clone();
    }

    /** The suites this initiation offered, preferred first. */
    public List<CipherSuite> offer() {
      return offer;
    }

    /**
     * Whether {@link #complete} met a genuine response that refused: the responder accepts none of
     * the offered suites. The response was authenticated, so this is the peer's word, not an attacker's.
     */
    public boolean refused() {
      return refused;
    }

    /**
     * The session for a valid response, or null (counted) for anything else: {@code NO_COMMON_CIPHER}
     * for an authenticated refusal ({@link #refused()}), {@code HANDSHAKE_FAILED} for a choice this
     * side did not offer or a response that does not decrypt.
     */
    public TunnelSession complete(byte[] response, DropCounters drops) {
      if (response.length != WireFormat.RESPONSE || response[0] != WireFormat.TYPE_RESPONSE) {
        return drops.drop(response.length < WireFormat.RESPONSE ? DropReason.TRUNCATED : DropReason.HANDSHAKE_FAILED);
      }
      ByteBuffer header = ByteBuffer.wrap(response);
      int remoteIndex = header.getInt(1);
      if (header.getInt(5) != localIndex) {
        return drops.drop(DropReason.UNKNOWN_INDEX);
      }
      byte[] payload = new byte[WireFormat.NOISE_RESPONSE];
      try {
        if (noise.readMessage(response, 9, WireFormat.NOISE_RESPONSE, payload, 0) != WireFormat.CHOICE) {
          noise.destroy();
          return drops.drop(DropReason.HANDSHAKE_FAILED);
        }
      } catch (GeneralSecurityException | IllegalStateException e) {
        noise.destroy();
        return drops.drop(DropReason.HANDSHAKE_FAILED);
      }
      if (payload[0] == 0) {
        noise.destroy();
        refused = true;
        return drops.drop(DropReason.NO_COMMON_CIPHER);
      }
      CipherSuite chosen = CipherSuite.byId(payload[0]);
      if (chosen == null || !offer.contains(chosen)) {
        // Authenticated, so not an attacker: a peer that broke the rule. Refuse rather than guess.
        noise.destroy();
        return drops.drop(DropReason.HANDSHAKE_FAILED);
      }
      return split(noise, chosen, localIndex, remoteIndex, maxPayload);
    }
  }

  /**
   * A valid initiation, read and authenticated, not yet answered: who sent it, when (the
   * initiator's {@link WireFormat#TIMESTAMP}-byte timestamp, compared as unsigned bytes) and the
   * suites it offers. The caller checks the key is a configured peer and the timestamp is newer
   * than that peer's last, then {@link #accept}s, {@link #refuse}s or {@link #discard}s it.
   */
  public static final class Received {

    private final HandshakeState noise;
    private final int remoteIndex;
    private final byte[] remotePublicKey;
    private final byte[] timestamp;
    private final List<CipherSuite> offer;

    private Received(HandshakeState noise, int remoteIndex, byte[] remotePublicKey, byte[] timestamp,
        List<CipherSuite> offer) {
      this.noise = noise;
      this.remoteIndex = remoteIndex;
      this.remotePublicKey = remotePublicKey;
      this.timestamp = timestamp;
      this.offer = offer;
    }

    public byte[] remotePublicKey() {
      return remotePublicKey.clone();
    }

    public byte[] timestamp() {
      return timestamp.clone();
    }

    /** The known suites the initiator offered, its preferred first (ids this version lacks are skipped). */
    public List<CipherSuite> offer() {
      return offer;
    }

    /** Answers with {@code suite} (one the initiator offered): the response and this side's session. */
    public Responded accept(CipherSuite suite, int localIndex, int maxPayload) {
      if (!offer.contains(suite)) {
        noise.destroy();
        throw new IllegalArgumentException(suite + " was not offered: " + offer);
      }
      byte[] response = answer(localIndex, suite.id());
      return new Responded(remotePublicKey.clone(), timestamp.clone(), response,
          split(noise, suite, localIndex, remoteIndex, maxPayload));
    }

    /**
     * Answers that no offered suite is acceptable: an authenticated response naming suite 0, so
     * the initiator can tell its operator why (rather than time out); no session is made.
     */
    public byte[] refuse(int localIndex) {
      byte[] response = answer(localIndex, (byte) 0);
      noise.destroy();
      return response;
    }

    /** Drops the half-done handshake without answering. */
    public void discard() {
      noise.destroy();
    }

    private byte[] answer(int localIndex, byte choice) {
      ByteBuffer response = ByteBuffer.allocate(WireFormat.RESPONSE);
      response.put(WireFormat.TYPE_RESPONSE).putInt(localIndex).putInt(remoteIndex);
      try {
        noise.writeMessage(response.array(), 9, new byte[] {choice}, 0, WireFormat.CHOICE);
      } catch (GeneralSecurityException e) {
        noise.destroy();
        throw new IllegalStateException("Noise response", e);
      }
      return response.array();
    }
  }

  /** A response and the session it makes, with what the initiation said (tests read these). */
  public record Responded(byte[] remotePublicKey, byte[] timestamp, byte[] response, TunnelSession session) {
  }

  /**
   * Reads an initiation, or returns null (counted) if it does not decrypt: a rewritten byte
   * anywhere in it, the offer included, fails the Noise tag.
   */
  public static Received receive(StaticKeyPair local, byte[] initiation, DropCounters drops) {
    if (initiation.length != WireFormat.INITIATION || initiation[0] != WireFormat.TYPE_INITIATION) {
      return drops.drop(initiation.length < WireFormat.INITIATION ? DropReason.TRUNCATED : DropReason.HANDSHAKE_FAILED);
    }
    int remoteIndex = ByteBuffer.wrap(initiation).getInt(1);
    HandshakeState noise = newState(HandshakeState.RESPONDER, local);
    noise.start();
    byte[] payload = new byte[WireFormat.NOISE_INITIATION];
    try {
      if (noise.readMessage(initiation, 5, WireFormat.NOISE_INITIATION, payload, 0)
          != WireFormat.TIMESTAMP + WireFormat.OFFER) {
        noise.destroy();
        return drops.drop(DropReason.HANDSHAKE_FAILED);
      }
    } catch (GeneralSecurityException | IllegalStateException e) {
      noise.destroy();
      return drops.drop(DropReason.HANDSHAKE_FAILED);
    }
    List<CipherSuite> offer = new ArrayList<>();
    for (int i = 0; i < WireFormat.OFFER; i++) {
      CipherSuite suite = CipherSuite.byId(payload[WireFormat.TIMESTAMP + i]);
      if (suite != null && !offer.contains(suite)) {
        offer.add(suite);
      }
    }
    byte[] remoteKey = new byte[WireFormat.KEY];
    noise.getRemotePublicKey().getPublicKey(remoteKey, 0);
    return new Received(noise, remoteIndex, remoteKey, Arrays.copyOf(payload, WireFormat.TIMESTAMP), List.copyOf(offer));
  }

  /**
   * Reads an initiation and, if it decrypts, answers it with the first suite of {@code ciphers} it
   * offers (refusing, and returning null, if none): the whole responder side without the peer and
   * timestamp checks, for tests and tools.
   */
  public static Responded respond(StaticKeyPair local, byte[] initiation, int localIndex,
      int maxPayload, DropCounters drops, CipherChoice ciphers) {
    Received received = receive(local, initiation, drops);
    if (received == null) {
      return null;
    }
    CipherSuite suite = ciphers.choose(received.offer());
    if (suite == null) {
      received.refuse(localIndex);
      return drops.drop(DropReason.NO_COMMON_CIPHER);
    }
    return received.accept(suite, localIndex, maxPayload);
  }

  private static HandshakeState newState(int role, StaticKeyPair local) {
    try {
      HandshakeState noise = new HandshakeState(WireFormat.NOISE_PROTOCOL, role);
      noise.setPrologue(WireFormat.PROLOGUE, 0, WireFormat.PROLOGUE.length);
      noise.getLocalKeyPair().setPrivateKey(local.privateKey(), 0);
      return noise;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("noise-java lacks " + WireFormat.NOISE_PROTOCOL, e);
    }
  }

  private static TunnelSession split(HandshakeState noise, CipherSuite suite, int localIndex, int remoteIndex,
      int maxPayload) {
    if (noise.getAction() != HandshakeState.SPLIT) {
      noise.destroy();
      throw new IllegalStateException("handshake not ready to split: action " + noise.getAction());
    }
    CipherStatePair transport = noise.split();
    noise.destroy();
    try {
      return new TunnelSession(suite, localIndex, remoteIndex, dataKey(transport.getSender()),
          dataKey(transport.getReceiver()), maxPayload);
    } finally {
      transport.destroy();
    }
  }

  /**
   * The data key of one direction, derived from its Noise transport key k (which noise-java does
   * not expose) the way Noise's REKEY does (spec §4.2, §11.3): the first 32 bytes of
   * ENCRYPT(k, n, empty, 32 zero bytes), i.e. ChaCha20 keystream under k, a PRF of k. REKEY uses
   * n = 2^64-1 to stay clear of the transport nonces; k never encrypts anything else here (the
   * caller destroys it next), so the fresh state's n = 0 is as good, and noise-java refuses 2^64-1.
   * Both ends hold k for each direction (one as sender, one as receiver), so they derive the same key.
   */
  static byte[] dataKey(CipherState transport) {
    byte[] block = new byte[WireFormat.KEY + WireFormat.TAG];
    try {
      transport.encryptWithAd(new byte[0], new byte[WireFormat.KEY], 0, block, 0, WireFormat.KEY);
      return Arrays.copyOf(block, WireFormat.KEY);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("Noise key derivation", e);
    } finally {
      Arrays.fill(block, (byte) 0);
    }
  }
}
