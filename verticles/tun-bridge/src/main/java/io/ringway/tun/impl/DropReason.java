package io.ringway.tun.impl;

/** Why a packet from the underlay or the TUN device was not forwarded; each has a counter. */
public enum DropReason {
  /** AEAD tag did not verify: forged, corrupted, or sealed with another key. */
  BAD_TAG,
  /** Counter already seen or older than the replay window. */
  REPLAY,
  /** Shorter than its header plus tag. */
  TRUNCATED,
  /** Longer than the MTU allows. */
  OVERSIZED,
  /** Receiver index names no live session. */
  UNKNOWN_INDEX,
  /** First byte is no known message type. */
  UNKNOWN_TYPE,
  /** A handshake message failed to decrypt or named an unknown static key. */
  HANDSHAKE_FAILED,
  /**
   * A handshake with a peer that accepts none of the cipher suites offered: counted by the
   * responder (which answers with an authenticated refusal) and by the initiator that gets it.
   */
  NO_COMMON_CIPHER,
  /** Outgoing packet whose destination matches no peer prefix. */
  NO_ROUTE,
  /** Decrypted packet whose inner source is outside the sending peer's prefixes. */
  SOURCE_NOT_ALLOWED,
  /** A packet (from the TUN device or decrypted) that is neither IPv4 nor IPv6. */
  NOT_IP,
  /** Outgoing packet for a peer whose endpoint is neither configured nor learned yet. */
  NO_ENDPOINT,
  /** Outgoing packet for a peer without a session while its handshake queue was full. */
  NO_SESSION,
  /** Decrypted packet the TUN device had no free write slot for. */
  TUN_BUSY
}
