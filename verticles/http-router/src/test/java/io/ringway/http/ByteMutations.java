package io.ringway.http;

import static io.ringway.http.Mutation.ODD_BYTES;
import static io.ringway.http.Mutation.pick;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Raw edits of the serialized bytes, blind to the grammar: bit flips, odd bytes set or inserted (at token
 * boundaries, where parsers decide), deletions. They find what the grammar-aware edits do not think of.
 */
final class ByteMutations {

  private ByteMutations() {
  }

  /** A raw edit: returns the edited text and says what it did in {@code label[0]}. */
  interface Edit {
    String apply(String text, Random random, String[] label);
  }

  record Raw(String kind, Edit edit) {
  }

  static final List<Raw> ALL = List.of(
      new Raw("byte-flip", (t, r, label) -> {
        int at = r.nextInt(t.length());
        int bit = 1 << r.nextInt(8);
        label[0] = "flip @" + at + " ^" + Integer.toHexString(bit);
        return t.substring(0, at) + (char) ((t.charAt(at) ^ bit) & 0xff) + t.substring(at + 1);
      }),
      new Raw("byte-set", (t, r, label) -> {
        int at = r.nextInt(t.length());
        String b = pick(ODD_BYTES, r);
        label[0] = "set @" + at + "=" + HeadMutations.esc(b);
        return t.substring(0, at) + b + t.substring(at + 1);
      }),
      new Raw("byte-insert", (t, r, label) -> {
        List<Integer> boundaries = boundaries(t);
        int at = pick(boundaries, r);
        String b = pick(ODD_BYTES, r);
        label[0] = "insert @" + at + " " + HeadMutations.esc(b);
        return t.substring(0, at) + b + t.substring(at);
      }),
      new Raw("byte-delete", (t, r, label) -> {
        int at = pick(boundaries(t), r);
        at = Math.min(at, t.length() - 1);
        label[0] = "delete @" + at + " " + HeadMutations.esc(t.substring(at, at + 1));
        return t.substring(0, at) + t.substring(at + 1);
      }));

  /** Positions just before and after each space, colon, semicolon, slash, equals sign and line-end byte. */
  static List<Integer> boundaries(String t) {
    List<Integer> at = new ArrayList<>();
    at.add(0);
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == ' ' || c == ':' || c == ';' || c == '/' || c == '=' || c == '\r' || c == '\n' || c == '?') {
        at.add(i);
        at.add(i + 1);
      }
    }
    return at;
  }
}
