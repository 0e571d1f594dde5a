package io.ringway.tun.impl;

import com.southernstorm.noise.protocol.CipherState;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One direction-pair of transport keys after a handshake: seals outgoing IP packets into data
 * messages and opens incoming ones, refusing (and counting) anything forged, replayed, truncated,
 * oversized or addressed to another index. Lives on one event loop; not thread-safe.
 */
public final class TunnelSession {

  private final int localIndex;
  private final int remoteIndex;
  private final CipherState sender;
  private final CipherState receiver;
  private final int maxPayload;
  private final ReplayWindow window = new ReplayWindow();
  private final DropCounters drops = new DropCounters();
  private long nextCounter;

  TunnelSession(int localIndex, int remoteIndex, CipherState sender, CipherState receiver, int maxPayload) {
    this.localIndex = localIndex;
    this.remoteIndex = remoteIndex;
    this.sender = sender;
    this.receiver = receiver;
    this.maxPayload = maxPayload;
  }

  /** The index peers put in data messages for this session. */
  public int localIndex() {
    return localIndex;
  }

  public int remoteIndex() {
    return remoteIndex;
  }

  /** Drops seen by {@link #open}. */
  public DropCounters drops() {
    return drops;
  }

  /** Messages sealed so far; the session must rekey well before {@link ReplayWindow#REJECT_AFTER}. */
  public long sent() {
    return nextCounter;
  }

  /** Seals one IP packet (empty for a keepalive) into a data message. */
  public byte[] seal(byte[] packet, int offset, int length) {
    if (length > maxPayload) {
      throw new IllegalArgumentException("packet of " + length + " bytes exceeds " + maxPayload);
    }
    if (nextCounter >= ReplayWindow.REJECT_AFTER) {
      throw new IllegalStateException("counter exhausted: rekey");
    }
    long counter = nextCounter++;
    byte[] message = new byte[WireFormat.DATA_HEADER + length + WireFormat.TAG];
    ByteBuffer.wrap(message).put(WireFormat.TYPE_DATA).putInt(remoteIndex).putLong(counter);
    byte[] header = Arrays.copyOf(message, WireFormat.DATA_HEADER);
    try {
      // Noise's ChaChaPoly nonce is 32 zero bits + the 64-bit counter: the counter on the wire.
      sender.setNonce(counter);
      sender.encryptWithAd(header, packet, offset, message, WireFormat.DATA_HEADER, length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("seal", e);
    }
    return message;
  }

  /** The inner IP packet of a data message (empty for a keepalive), or null with the drop counted. */
  public byte[] open(byte[] message, int offset, int length) {
    if (length < WireFormat.DATA_HEADER + WireFormat.TAG) {
      return drops.drop(DropReason.TRUNCATED);
    }
    if (length > WireFormat.DATA_HEADER + maxPayload + WireFormat.TAG) {
      return drops.drop(DropReason.OVERSIZED);
    }
    ByteBuffer header = ByteBuffer.wrap(message, offset, length);
    if (header.get(offset) != WireFormat.TYPE_DATA) {
      return drops.drop(DropReason.UNKNOWN_TYPE);
    }
    if (header.getInt(offset + 1) != localIndex) {
      return drops.drop(DropReason.UNKNOWN_INDEX);
    }
    long counter = header.getLong(offset + 5);
    // Cheap check first; the window moves only after the tag verifies (a forgery cannot move it).
    if (!window.isFresh(counter)) {
      return drops.drop(DropReason.REPLAY);
    }
    byte[] ad = Arrays.copyOfRange(message, offset, offset + WireFormat.DATA_HEADER);
    int cipherLength = length - WireFormat.DATA_HEADER;
    byte[] packet = new byte[cipherLength - WireFormat.TAG];
    try {
      receiver.setNonce(counter);
      receiver.decryptWithAd(ad, message, offset + WireFormat.DATA_HEADER, packet, 0, cipherLength);
    } catch (GeneralSecurityException e) {
      return drops.drop(DropReason.BAD_TAG);
    }
    if (!window.accept(counter)) {
      return drops.drop(DropReason.REPLAY);
    }
    return packet;
  }

  /** Wipes the keys; later seal/open fail. */
  public void destroy() {
    sender.destroy();
    receiver.destroy();
  }
}
