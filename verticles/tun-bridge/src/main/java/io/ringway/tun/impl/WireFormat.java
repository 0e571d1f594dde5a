package io.ringway.tun.impl;

/**
 * Tunnel message layout (all integers big-endian):
 * <pre>
 * initiation: type=1 | sender index(4) | Noise IK message 1 (e, es, s, ss, timestamp) = 113 bytes
 * response:   type=2 | sender index(4) | receiver index(4) | Noise IK message 2 (e, ee, se) = 57 bytes
 * data:       type=4 | receiver index(4) | counter(8) | ChaCha20-Poly1305(inner IP packet) + tag(16)
 * </pre>
 * The data header (13 bytes) is the AEAD's associated data; the nonce is 32 zero bits then the
 * counter little-endian (Noise's ChaChaPoly nonce, as WireGuard). An empty plaintext is a keepalive.
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
  /** Noise IK message 1 with the timestamp payload: e(32) + s(32+16) + timestamp(12+16). */
  public static final int NOISE_INITIATION = 96 + TIMESTAMP;
  /** Noise IK message 2 with an empty payload: e(32) + payload tag(16). */
  public static final int NOISE_RESPONSE = 48;
  public static final int INITIATION = 1 + 4 + NOISE_INITIATION;
  public static final int RESPONSE = 1 + 4 + 4 + NOISE_RESPONSE;
  /** Bound into the handshake hash so a Ringway handshake is never valid for another protocol. */
  public static final byte[] PROLOGUE = "ringway-tun v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  public static final String NOISE_PROTOCOL = "Noise_IK_25519_ChaChaPoly_BLAKE2s";

  private WireFormat() {
  }
}
