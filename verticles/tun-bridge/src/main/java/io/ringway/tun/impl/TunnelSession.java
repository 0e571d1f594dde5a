package io.ringway.tun.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;

/**
 * One direction-pair of data keys after a handshake: seals outgoing IP packets into data messages
 * and opens incoming ones, refusing (and counting) anything forged, replayed, truncated, oversized
 * or addressed to another index. The AEAD is the JDK's ChaCha20-Poly1305 or AES-256-GCM (HotSpot
 * intrinsics), as the handshake chose ({@link CipherSuite}); the keys come from
 * {@link NoiseHandshake}. Lives on one event loop; not thread-safe.
 */
public final class TunnelSession {

  private final CipherSuite suite;
  private final int localIndex;
  private final int remoteIndex;
  private final DataKey sendKey;
  private final DataKey receiveKey;
  private final Cipher sender;
  private final Cipher receiver;
  private final int maxPayload;
  // Scratch, reused per packet: the parameter spec copies the nonce, updateAAD reads the header at once.
  private final byte[] nonce = new byte[CipherSuite.NONCE];
  private final byte[] header = new byte[WireFormat.DATA_HEADER];
  private final ByteBuffer headerView = ByteBuffer.wrap(header);
  private final ReplayWindow window = new ReplayWindow();
  private final DropCounters drops = new DropCounters();
  private long nextCounter;
  private boolean destroyed;

  /**
   * @param sendKey this side's 32-byte sending key; the session takes the array and wipes it on {@link #destroy}
   * @param receiveKey the peer's sending key, likewise
   */
  TunnelSession(CipherSuite suite, int localIndex, int remoteIndex, byte[] sendKey, byte[] receiveKey, int maxPayload) {
    if (sendKey.length != WireFormat.KEY || receiveKey.length != WireFormat.KEY) {
      throw new IllegalArgumentException("data keys must be " + WireFormat.KEY + " bytes");
    }
    this.suite = suite;
    this.localIndex = localIndex;
    this.remoteIndex = remoteIndex;
    this.sendKey = new DataKey(sendKey, suite.keyAlgorithm());
    this.receiveKey = new DataKey(receiveKey, suite.keyAlgorithm());
    this.sender = newCipher(suite);
    this.receiver = newCipher(suite);
    this.maxPayload = maxPayload;
  }

  /** The index peers put in data messages for this session. */
  public int localIndex() {
    return localIndex;
  }

  public int remoteIndex() {
    return remoteIndex;
  }

  /** The AEAD the handshake chose for this session. */
  public CipherSuite suite() {
    return suite;
  }

  /** Drops seen by {@link #open}. */
  public DropCounters drops() {
    return drops;
  }

  /** Messages sealed so far; the session must rekey well before {@link ReplayWindow#REJECT_AFTER}. */
  public long sent() {
    return nextCounter;
  }

  /**
   * Seals the readable bytes of {@code packet} (one IP packet, or none for a keepalive) into a new
   * direct buffer from {@code allocator} holding the whole data message; the caller owns (and must
   * release) the result. {@code packet} is only read: its indexes and reference count are unchanged.
   */
  public ByteBuf seal(ByteBuf packet, ByteBufAllocator allocator) {
    ByteBuf message = allocator.directBuffer(sealedLength(packet.readableBytes()));
    boolean sealed = false;
    try {
      sealInto(packet, message);
      sealed = true;
      return message;
    } finally {
      if (!sealed) {
        message.release();
      }
    }
  }

  /** Length of the data message that seals a packet of {@code packetLength} bytes. */
  public static int sealedLength(int packetLength) {
    return WireFormat.DATA_HEADER + packetLength + WireFormat.TAG;
  }

  /**
   * As {@link #seal(ByteBuf, ByteBufAllocator)}, writing the data message at {@code target}'s writer
   * index (which it advances by {@link #sealedLength}) rather than into a buffer of its own: the
   * underlay seals straight into its pending UDP_SEGMENT batch. On an exception {@code target}'s writer
   * index may have moved: the caller puts it back.
   */
  public void sealInto(ByteBuf packet, ByteBuf target) {
    int length = packet.readableBytes();
    if (length > maxPayload) {
      throw new IllegalArgumentException("packet of " + length + " bytes exceeds " + maxPayload);
    }
    if (destroyed) {
      throw new IllegalStateException("session destroyed");
    }
    if (nextCounter >= ReplayWindow.REJECT_AFTER) {
      throw new IllegalStateException("counter exhausted: rekey");
    }
    long counter = nextCounter++;
    headerView.put(0, WireFormat.TYPE_DATA).putInt(1, remoteIndex).putLong(5, counter);
    target.ensureWritable(sealedLength(length));
    target.writeBytes(header);
    try {
      // Counters only grow, so the JDK's refusal to encrypt twice under one key and nonce never fires.
      sender.init(Cipher.ENCRYPT_MODE, sendKey, nonce(counter));
      sender.updateAAD(header);
      int written = sender.doFinal(packet.nioBuffer(), target.nioBuffer(target.writerIndex(), length + WireFormat.TAG));
      target.writerIndex(target.writerIndex() + written);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("seal", e);
    }
  }

  /**
   * Opens the data message in {@code message}'s readable bytes, decrypting it in place: returns a
   * retained slice of {@code message} holding the inner IP packet (empty for a keepalive), which the
   * caller must release, or null with the drop counted. {@code message} itself stays the caller's
   * and its indexes are unchanged; a message that fails any check is left as it was.
   */
  public ByteBuf open(ByteBuf message) {
    int length = message.readableBytes();
    if (length < WireFormat.DATA_HEADER + WireFormat.TAG) {
      return drops.drop(DropReason.TRUNCATED);
    }
    if (length > sealedLength(maxPayload)) {
      return drops.drop(DropReason.OVERSIZED);
    }
    int start = message.readerIndex();
    if (message.getByte(start) != WireFormat.TYPE_DATA) {
      return drops.drop(DropReason.UNKNOWN_TYPE);
    }
    if (message.getInt(start + 1) != localIndex || destroyed) {
      return drops.drop(DropReason.UNKNOWN_INDEX);
    }
    long counter = message.getLong(start + 5);
    // Cheap check first; the window moves only after the tag verifies (a forgery cannot move it).
    if (!window.isFresh(counter)) {
      return drops.drop(DropReason.REPLAY);
    }
    int body = start + WireFormat.DATA_HEADER;
    int cipherLength = length - WireFormat.DATA_HEADER;
    int packetLength = cipherLength - WireFormat.TAG;
    message.getBytes(start, header);
    try {
      // Decrypting a nonce again (after a forgery with the same counter) is allowed: the JDK
      // refuses only a repeated encryption. Input and output may be the same bytes: both JDK AEADs
      // read all input before writing (GCM copies overlapping buffers first). ChaCha20-Poly1305
      // checks the tag before it writes; AES-GCM may decrypt first and zero its output on a bad
      // tag, so a forgery's own bytes may be wiped, never anything outside its slice.
      receiver.init(Cipher.DECRYPT_MODE, receiveKey, nonce(counter));
      receiver.updateAAD(header);
      receiver.doFinal(message.nioBuffer(body, cipherLength), message.nioBuffer(body, packetLength));
    } catch (AEADBadTagException e) {
      return drops.drop(DropReason.BAD_TAG);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("open", e);
    }
    if (!window.accept(counter)) {
      return drops.drop(DropReason.REPLAY);
    }
    return message.retainedSlice(body, packetLength);
  }

  /**
   * Wipes the keys: this session's copies and the JDK ciphers' (re-initialised under a zero key,
   * which zeroes their previous key bytes). Later seals fail; opens are dropped as {@code UNKNOWN_INDEX}.
   */
  public void destroy() {
    if (destroyed) {
      return;
    }
    destroyed = true;
    DataKey zero = new DataKey(new byte[WireFormat.KEY], suite.keyAlgorithm());
    for (Cipher cipher : new Cipher[] {sender, receiver}) {
      try {
        // Decrypt mode: the JDK checks key/nonce reuse only when encrypting.
        cipher.init(Cipher.DECRYPT_MODE, zero, suite.parameters(new byte[CipherSuite.NONCE], 0));
      } catch (GeneralSecurityException e) {
        // Nothing better to do: the session is dead either way, and the key objects are wiped below.
      }
    }
    sendKey.destroy();
    receiveKey.destroy();
  }

  /** Noise's nonce for the suite: 32 zero bits then the counter (see {@link CipherSuite}). */
  private AlgorithmParameterSpec nonce(long counter) {
    return suite.parameters(nonce, counter);
  }

  private static Cipher newCipher(CipherSuite suite) {
    try {
      return Cipher.getInstance(suite.transformation());
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      throw new IllegalStateException("the JDK lacks " + suite.transformation(), e);
    }
  }

  /**
   * A raw ChaCha20 or AES key that can be wiped: {@code SecretKeySpec} keeps a copy that
   * {@code destroy()} cannot clear (it throws). Made once per session direction; the JDK copies the
   * bytes on each {@code Cipher.init} and zeroes its previous copy then.
   */
  private static final class DataKey implements SecretKey {

    private static final long serialVersionUID = 1L;

    private final byte[] key;
    private final String algorithm;
    private boolean wiped;

    DataKey(byte[] key, String algorithm) {
      this.key = key;
      this.algorithm = algorithm;
    }

    @Override
    public String getAlgorithm() {
      return algorithm;
    }

    @Override
    public String getFormat() {
      return "RAW";
    }

    @Override
    public byte[] getEncoded() {
      // No encoding once wiped: the JDK then refuses the key rather than use zeros.
      return wiped ? null : key.clone();
    }

    @Override
    public void destroy() {
      Arrays.fill(key, (byte) 0);
      wiped = true;
    }

    @Override
    public boolean isDestroyed() {
      return wiped;
    }
  }
}
