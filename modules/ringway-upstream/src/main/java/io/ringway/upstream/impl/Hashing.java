package io.ringway.upstream.impl;

/**
 * A stable 64-bit string hash. Stable across JVMs and runs (unlike {@link String#hashCode()}'s
 * 32 bits, too few for a 65537-slot table), so every loop and every node maps a key alike.
 */
final class Hashing {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {
  }

  /** FNV-1a over the UTF-16 units, then MurmurHash3's finalizer: FNV alone mixes the high bits poorly. */
  static long hash(String value, long seed) {
    long h = FNV_OFFSET ^ seed;
    for (int i = 0; i < value.length(); i++) {
      h ^= value.charAt(i);
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** {@code hash mod size} with the hash read as unsigned, so every slot is reachable. */
  static int slot(long hash, int size) {
    return (int) Long.remainderUnsigned(hash, size);
  }
}
