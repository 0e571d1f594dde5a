package io.ringway.http;

import java.util.List;
import java.util.Random;

/** A named edit of a request; {@link #apply} edits the shape in place and returns what it did, for the label. */
record Mutation(String kind, Edit edit) {

  /** Bytes worth inserting where a parser decides something: controls, separators, line ends, high bytes. */
  static final List<String> ODD_BYTES = List.of("\u0000", "\u0001", "\u0008", "\u000b", "\u000c", "\u001f",
      "\u007f", " ", "\t", "\r", "\n", "\u0080", "\u00ff", "\"", "(", ",", ";", "\\", "@", "[", "{");

  interface Edit {
    String apply(RequestShape shape, Random random);
  }

  String apply(RequestShape shape, Random random) {
    return edit.apply(shape, random);
  }

  static <T> T pick(List<T> choices, Random random) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** {@code text} with {@code insert} at a random position (possibly either end). */
  static String insertAnywhere(String text, String insert, Random random) {
    int at = random.nextInt(text.length() + 1);
    return text.substring(0, at) + insert + text.substring(at);
  }
}
