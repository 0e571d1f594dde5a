package io.ringway.tun.impl;

import com.southernstorm.noise.protocol.CipherState;
import com.southernstorm.noise.protocol.CipherStatePair;
import com.southernstorm.noise.protocol.HandshakeState;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.ShortBufferException;

/**
 * The two-message Noise IK handshake framed as {@link WireFormat} initiation and response. The
 * initiator knows the responder's static key; the responder learns the initiator's from message 1
 * and must check it against its peers before answering. Each side ends with a {@link TunnelSession}.
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
    private final byte[] initiation;

    /** Starts a handshake and writes the initiation message. */
    public Initiator(StaticKeyPair local, byte[] remotePublicKey, int localIndex, int maxPayload) {
      this.localIndex = localIndex;
      this.maxPayload = maxPayload;
      this.noise = newState(HandshakeState.INITIATOR, local);
      noise.getRemotePublicKey().setPublicKey(remotePublicKey, 0);
      noise.start();
      ByteBuffer message = ByteBuffer.allocate(WireFormat.INITIATION);
      message.put(WireFormat.TYPE_INITIATION).putInt(localIndex);
      try {
        noise.writeMessage(message.array(), 5, timestamp(), 0, WireFormat.TIMESTAMP);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Noise initiation", e);
      }
      this.initiation = message.array();
    }

    public byte[] initiation() {
      return initiation.clone();
    }

    /** The session for a valid response, or null (counted) for anything else. */
    public TunnelSession complete(byte[] response, DropCounters drops) {
      if (response.length != WireFormat.RESPONSE || response[0] != WireFormat.TYPE_RESPONSE) {
        return drops.drop(response.length < WireFormat.RESPONSE ? DropReason.TRUNCATED : DropReason.HANDSHAKE_FAILED);
      }
      ByteBuffer header = ByteBuffer.wrap(response);
      int remoteIndex = header.getInt(1);
      if (header.getInt(5) != localIndex) {
        return drops.drop(DropReason.UNKNOWN_INDEX);
      }
      try {
        noise.readMessage(response, 9, WireFormat.NOISE_RESPONSE, new byte[WireFormat.NOISE_RESPONSE], 0);
      } catch (GeneralSecurityException | IllegalStateException e) {
        noise.destroy();
        return drops.drop(DropReason.HANDSHAKE_FAILED);
      }
      return split(noise, localIndex, remoteIndex, maxPayload);
    }
  }

  /**
   * What a responder got from a valid initiation: who sent it, when (the initiator's
   * {@link WireFormat#TIMESTAMP}-byte timestamp, compared as unsigned bytes), the reply, and the session.
   */
  public record Responded(byte[] remotePublicKey, byte[] timestamp, byte[] response, TunnelSession session) {
  }

  /**
   * Reads an initiation and answers it, or returns null (counted) if it does not decrypt. The
   * caller must still check {@link Responded#remotePublicKey()} is a configured peer and that
   * {@link Responded#timestamp()} is newer than that peer's last one before sending the response.
   */
  public static Responded respond(StaticKeyPair local, byte[] initiation, int localIndex,
      int maxPayload, DropCounters drops) {
    if (initiation.length != WireFormat.INITIATION || initiation[0] != WireFormat.TYPE_INITIATION) {
      return drops.drop(initiation.length < WireFormat.INITIATION ? DropReason.TRUNCATED : DropReason.HANDSHAKE_FAILED);
    }
    int remoteIndex = ByteBuffer.wrap(initiation).getInt(1);
    HandshakeState noise = newState(HandshakeState.RESPONDER, local);
    noise.start();
    ByteBuffer response = ByteBuffer.allocate(WireFormat.RESPONSE);
    byte[] payload = new byte[WireFormat.NOISE_INITIATION];
    try {
      if (noise.readMessage(initiation, 5, WireFormat.NOISE_INITIATION, payload, 0) != WireFormat.TIMESTAMP) {
        noise.destroy();
        return drops.drop(DropReason.HANDSHAKE_FAILED);
      }
      response.put(WireFormat.TYPE_RESPONSE).putInt(localIndex).putInt(remoteIndex);
      noise.writeMessage(response.array(), 9, new byte[0], 0, 0);
    } catch (GeneralSecurityException | IllegalStateException e) {
      noise.destroy();
      return drops.drop(DropReason.HANDSHAKE_FAILED);
    }
    byte[] remoteKey = new byte[WireFormat.KEY];
    noise.getRemotePublicKey().getPublicKey(remoteKey, 0);
    return new Responded(remoteKey, Arrays.copyOf(payload, WireFormat.TIMESTAMP), response.array(),
        split(noise, localIndex, remoteIndex, maxPayload));
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

  private static TunnelSession split(HandshakeState noise, int localIndex, int remoteIndex, int maxPayload) {
    if (noise.getAction() != HandshakeState.SPLIT) {
      noise.destroy();
      throw new IllegalStateException("handshake not ready to split: action " + noise.getAction());
    }
    CipherStatePair transport = noise.split();
    noise.destroy();
    try {
      return new TunnelSession(localIndex, remoteIndex, dataKey(transport.getSender()),
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
