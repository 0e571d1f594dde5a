package io.ringway.testkit.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Byte-level mutations in the style of libFuzzer's: bit flips, random and "interesting" bytes,
 * inserted dictionary tokens, deleted, duplicated and spliced ranges, truncation. Deterministic for
 * a seed, and bounded: no output exceeds {@code maxLength}.
 */
public final class Mutator {

  private static final int[] INTERESTING = {0, 1, 0x7f, 0x80, 0xff, '0', '9', ' ', '\r', '\n', '\t', ':', '.', '-', '%'};

  private final SplittableRandom random;
  private final List<byte[]> dictionary;
  private final int maxLength;

  public Mutator(SplittableRandom random, List<byte[]> dictionary, int maxLength) {
    this.random = random;
    this.dictionary = List.copyOf(dictionary);
    this.maxLength = maxLength;
  }

  /** One to four stacked mutations of {@code input}; {@code corpus} supplies splice partners. */
  public byte[] mutate(byte[] input, List<byte[]> corpus) {
    byte[] out = input;
    int rounds = 1 + random.nextInt(4);
    for (int i = 0; i < rounds; i++) {
      out = once(out, corpus);
    }
    return out.length > maxLength ? Arrays.copyOf(out, maxLength) : out;
  }

  /** Up to {@code max} cut points, sorted, strictly inside {@code 0..length}: where to split one input into reads. */
  public int[] splitPoints(int length, int max) {
    if (length < 2) {
      return new int[0];
    }
    int count = random.nextInt(Math.min(max, length - 1) + 1);
    return random.ints(count, 1, length).distinct().sorted().toArray();
  }

  public SplittableRandom random() {
    return random;
  }

  private byte[] once(byte[] in, List<byte[]> corpus) {
    int length = in.length;
    switch (random.nextInt(length == 0 ? 2 : 11)) {
      case 0:
        return insert(in, length == 0 ? 0 : random.nextInt(length + 1), token());
      case 1:
        return insert(in, length == 0 ? 0 : random.nextInt(length + 1), randomBytes(1 + random.nextInt(8)));
      case 2: {
        byte[] out = in.clone();
        int at = random.nextInt(length);
        out[at] ^= (byte) (1 << random.nextInt(8));
        return out;
      }
      case 3: {
        byte[] out = in.clone();
        out[random.nextInt(length)] = (byte) random.nextInt(256);
        return out;
      }
      case 4: {
        byte[] out = in.clone();
        out[random.nextInt(length)] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
        return out;
      }
      case 5: {
        int from = random.nextInt(length);
        int to = from + 1 + random.nextInt(Math.min(16, length - from));
        return concat(Arrays.copyOfRange(in, 0, from), Arrays.copyOfRange(in, to, length));
      }
      case 6: {
        // Duplicate a range, sometimes many times: repeated structures find counting and nesting bugs.
        int from = random.nextInt(length);
        int to = from + 1 + random.nextInt(Math.min(32, length - from));
        byte[] range = Arrays.copyOfRange(in, from, to);
        int times = random.nextInt(8) == 0 ? 1 + random.nextInt(64) : 1;
        byte[] out = in;
        for (int i = 0; i < times && out.length < maxLength; i++) {
          out = insert(out, to, range);
        }
        return out;
      }
      case 7:
        return Arrays.copyOf(in, random.nextInt(length));
      case 8: {
        byte[] other = corpus.get(random.nextInt(corpus.size()));
        int cut = random.nextInt(length + 1);
        int otherCut = other.length == 0 ? 0 : random.nextInt(other.length + 1);
        return concat(Arrays.copyOf(in, cut), Arrays.copyOfRange(other, otherCut, other.length));
      }
      case 9: {
        // Overwrite with a token in place: keeps the length, changes a field.
        byte[] token = token();
        byte[] out = in.clone();
        int at = random.nextInt(length);
        System.arraycopy(token, 0, out, at, Math.min(token.length, length - at));
        return out;
      }
      default: {
        // A big-endian 16-bit length field set to an edge value.
        if (length < 2) {
          return in;
        }
        byte[] out = in.clone();
        int at = random.nextInt(length - 1);
        int[] edges = {0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, length, length - at};
        int value = edges[random.nextInt(edges.length)] + random.nextInt(3) - 1;
        out[at] = (byte) (value >> 8);
        out[at + 1] = (byte) value;
        return out;
      }
    }
  }

  private byte[] token() {
    return dictionary.isEmpty() ? randomBytes(1) : dictionary.get(random.nextInt(dictionary.size()));
  }

  private byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] insert(byte[] in, int at, byte[] what) {
    byte[] out = new byte[in.length + what.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(what, 0, out, at, what.length);
    System.arraycopy(in, at, out, at + what.length, in.length - at);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
