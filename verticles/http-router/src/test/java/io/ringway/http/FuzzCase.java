package io.ringway.http;

/**
 * One differential case: the bytes sent on a fresh connection, named by the seed and index that made them.
 *
 * @param id stable name, {@code <seed>-<index>}: the same seed and index always make the same bytes
 * @param kind the mutation applied (the grouping key in the report and the allowlist)
 * @param label the template and mutation, short enough for one report column
 * @param bytes what goes on the wire
 * @param requests how many requests the bytes hold when read as intended (2 for pipelining)
 * @param head whether the first request is a HEAD, so its response has no body
 */
record FuzzCase(String id, String kind, String label, byte[] bytes, int requests, boolean head) {

  /** The bytes with CR, LF, HTAB and every non-printable byte escaped, cut at {@code max} characters. */
  String escaped(int max) {
    String all = io.ringway.testkit.fuzz.Escape.readable(bytes);
    return all.length() <= max ? all : all.substring(0, max) + "…";
  }
}
