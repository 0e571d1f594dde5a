package io.ringway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The committed allowlist ({@value #RESOURCE}): where Ringway differs from nginx and HAProxy on purpose, each
 * with the RFC clause that lets it. One tab-separated line per difference: a matcher ({@code kind:<mutation
 * kind>}, {@code label:<regex found in the label>}, {@code bytes:<text found in the escaped bytes>},
 * {@code bytesRegex:<regex found in the escaped bytes>} or {@code invalidHost:} for a head whose Host is not an
 * RFC 3986 authority), Ringway's
 * expected answer ({@code REFUSED} or {@code REFUSED 400}), the clause, and why. A bug is never listed here.
 */
final class DeliberateDifferences {

  static final String RESOURCE = "/conformance/deliberate-differences.tsv";

  record Entry(String matcher, Answer.Kind kind, int status, String clause) {

    boolean covers(FuzzCase fuzzCase, Answer ringway) {
      if (ringway.kind() != kind || (status != 0 && ringway.status() != status)) {
        return false;
      }
      int colon = matcher.indexOf(':');
      String how = matcher.substring(0, colon);
      String what = matcher.substring(colon + 1);
      return switch (how) {
        case "kind" -> fuzzCase.kind().equals(what);
        case "label" -> Pattern.compile(what).matcher(fuzzCase.label()).find();
        case "bytes" -> fuzzCase.escaped(Integer.MAX_VALUE).contains(what);
        case "bytesRegex" -> Pattern.compile(what).matcher(fuzzCase.escaped(Integer.MAX_VALUE)).find();
        case "invalidHost" -> hasInvalidHost(fuzzCase.bytes());
        default -> throw new IllegalArgumentException("unknown matcher " + matcher);
      };
    }
  }

  /**
   * RFC 3986 {@code host [":" port]} with a non-empty host, and a port a TCP port can be (at most 65535, checked in
   * {@link #isAuthority}): the test's own statement of the rule, to tell a deliberate refusal of an invalid Host from a
   * bug, independent of the router's implementation.
   */
  private static final Pattern AUTHORITY = Pattern.compile(
      "(\\[[0-9A-Fa-f:.]+\\]|\\[[vV][0-9A-Fa-f]+\\.[-A-Za-z0-9._~!$&'()*+,;=:]+\\]"
          + "|([-A-Za-z0-9._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(:(?<port>[0-9]*))?");

  /** Whether a Host field line of the head holds a value that is not an RFC 3986 authority. */
  static boolean hasInvalidHost(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    for (String line : (headEnd < 0 ? text : text.substring(0, headEnd)).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("host")
          && !isAuthority(line.substring(colon + 1).strip())) {
        return true;
      }
    }
    return false;
  }

  private static final java.math.BigInteger MAX_PORT = java.math.BigInteger.valueOf(65535);

  private static boolean isAuthority(String value) {
    java.util.regex.Matcher authority = AUTHORITY.matcher(value);
    if (!authority.matches()) {
      return false;
    }
    String port = authority.group("port");
    return port == null || port.isEmpty() || new java.math.BigInteger(port).compareTo(MAX_PORT) <= 0;
  }

  final List<Entry> entries;

  private DeliberateDifferences(List<Entry> entries) {
    this.entries = entries;
  }

  static DeliberateDifferences load() throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (InputStream in = DeliberateDifferences.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the test classpath");
      }
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (int n = 0; n < lines.length; n++) {
        String line = lines[n].strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] cells = line.split("\t");
        if (cells.length < 3 || !cells[0].contains(":")) {
          throw new IllegalStateException(RESOURCE + ":" + (n + 1) + ": want matcher<TAB>answer<TAB>clause, got "
              + line);
        }
        String[] answer = cells[1].trim().split(" ");
        entries.add(new Entry(cells[0].trim(), Answer.Kind.valueOf(answer[0]),
            answer.length > 1 ? Integer.parseInt(answer[1]) : 0, cells[2].trim()));
      }
    }
    return new DeliberateDifferences(entries);
  }

  /** The entry that covers Ringway's answer to this case, or null. */
  Entry covering(FuzzCase fuzzCase, Answer ringway) {
    return entries.stream().filter(e -> e.covers(fuzzCase, ringway)).findFirst().orElse(null);
  }
}
