package io.ringway.tun.impl;

/**
 * Sliding anti-replay window over 64-bit packet counters (the bitmap ring of RFC 6479 as
 * WireGuard uses it): a counter is accepted once, and only if it is at most {@link #WINDOW}
 * behind the highest accepted. The ring keeps one spare word so sliding forward clears whole
 * words. Not thread-safe: one session lives on one event loop.
 *
 * <p>Check with {@link #isFresh} before decrypting and commit with {@link #accept} only after the
 * tag verified, so a forged packet cannot move the window.
 */
public final class ReplayWindow {

  private static final int BITS_TOTAL = 4096;
  private static final int WORDS = BITS_TOTAL / Long.SIZE;
  /** How far behind the highest counter a packet may still arrive. */
  public static final int WINDOW = BITS_TOTAL - Long.SIZE;
  /** Counters at or above this are refused: the session must rekey long before (WireGuard's rule). */
  public static final long REJECT_AFTER = Long.MAX_VALUE - BITS_TOTAL;

  private final long[] ring = new long[WORDS];
  /** Highest accepted counter plus one; 0 before the first. */
  private long next;

  /** True if {@code counter} would be accepted now; changes nothing. */
  public boolean isFresh(long counter) {
    if (counter < 0 || counter >= REJECT_AFTER) {
      return false;
    }
    long position = counter + 1;
    if (position + WINDOW < next) {
      return false;
    }
    if (position > next) {
      return true;
    }
    return (ring[word(position)] & bit(position)) == 0;
  }

  /** Marks {@code counter} seen; false if it is a replay or too old (then nothing changes). */
  public boolean accept(long counter) {
    if (!isFresh(counter)) {
      return false;
    }
    long position = counter + 1;
    if (position > next) {
      // Slide forward: clear the words between the old top and the new one (at most the ring).
      long currentWord = next >>> 6;
      long steps = Math.min((position >>> 6) - currentWord, WORDS);
      for (long i = 1; i <= steps; i++) {
        ring[(int) ((currentWord + i) & (WORDS - 1))] = 0;
      }
      next = position;
    }
    ring[word(position)] |= bit(position);
    return true;
  }

  /** The highest counter accepted so far, or -1. */
  public long highest() {
    return next - 1;
  }

  private static int word(long position) {
    return (int) ((position >>> 6) & (WORDS - 1));
  }

  private static long bit(long position) {
    return 1L << (position & 63);
  }
}
