package io.ringway.tun.impl;

/**
 * Tunnel message layout (all integers big-endian):
 * <pre>
 * initiation: type=1 | sender index(4) | Noise IK message 1 (e, es, s, ss, payload timestamp | offer) = 115 bytes
 * response:   type=2 | sender index(4) | receiver index(4) | Noise IK message 2 (e, ee, se, payload choice) = 58 bytes
 * data:       type=4 | receiver index(4) | counter(8) | AEAD(inner IP packet) + tag(16)
 * </pre>
 * The offer (2 bytes: {@link CipherSuite} ids, preferred first, 0 for none) and the choice (1 byte, 0:
 * no suite in common) travel in the Noise payloads, so the handshake encrypts and authenticates them
 * and hashes them into its transcript: an on-path rewrite fails the handshake. The data header (13
 * bytes) is the AEAD's associated data; the nonce is 32 zero bits then the counter (byte order per
 * {@link CipherSuite}). An empty plaintext is a keepalive.
 */
public final class WireFormat {

  public static final byte TYPE_INITIATION = 1;
  public static final byte TYPE_RESPONSE = 2;
  public static final byte TYPE_DATA = 4;
  public static final int DATA_HEADER = 13;
  public static final int TAG = 16;
  public static final int KEY = 32;
  /** Initiation payload: seconds(8) and nanoseconds(4) since the epoch, as WireGuard's TAI64N. */
  public static final int TIMESTAMP = 12;
  /** Cipher suites an initiation offers: one byte each, preferred first, unused ones 0. */
  public static final int OFFER = 2;
  /** The response's payload: the chosen suite's id, or 0 for none in common. */
  public static final int CHOICE = 1;
  /** Noise IK message 1 with its payload: e(32) + s(32+16) + payload(timestamp + offer, +16). */
  public static final int NOISE_INITIATION = 96 + TIMESTAMP + OFFER;
  /** Noise IK message 2 with its payload: e(32) + payload(choice, +16). */
  public static final int NOISE_RESPONSE = 48 + CHOICE;
  public static final int INITIATION = 1 + 4 + NOISE_INITIATION;
  public static final int RESPONSE = 1 + 4 + 4 + NOISE_RESPONSE;
  /**
   * Bound into the handshake hash so a Ringway handshake is never valid for another protocol or
   * version (v2: no cipher negotiation, v1: before derived data keys).
   */
  public static final byte[] PROLOGUE = "ringway-tun v3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  public static final String NOISE_PROTOCOL = "Noise_IK_25519_ChaChaPoly_BLAKE2s";

  private WireFormat() {
  }
}
