package io.ringway.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 request as editable parts, so a mutation can hit one token (the method, one header name, the
 * chunk size) and keep the rest well formed. Strings hold bytes 1:1 (ISO-8859-1), so any octet fits.
 */
final class RequestShape {

  static final String CRLF = "\r\n";

  String prefix = "";
  String method;
  String beforeTarget = " ";
  String target;
  String beforeVersion = " ";
  /** Empty for a request line with no version at all (the HTTP/0.9 form). */
  String version = "HTTP/1.1";
  String afterVersion = "";
  /** Whole header lines without their line end, so a line need not even have a colon. */
  final List<String> headers = new ArrayList<>();
  /** One line end per line of the head: index 0 ends the request line, i ends header i-1, the last the head. */
  final List<String> lineEnds = new ArrayList<>();
  String body = "";
  /** A second request pipelined on the same connection, or null. */
  RequestShape next;

  RequestShape(String method, String target, String... headers) {
    this.method = method;
    this.target = target;
    this.headers.addAll(List.of(headers));
  }

  RequestShape body(String body) {
    this.body = body;
    return this;
  }

  /** The header lines whose name (before the first colon, case-insensitive) is {@code name}. */
  List<Integer> indexesOf(String name) {
    List<Integer> found = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      if (nameOf(headers.get(i)).trim().equalsIgnoreCase(name)) {
        found.add(i);
      }
    }
    return found;
  }

  boolean has(String name) {
    return !indexesOf(name).isEmpty();
  }

  void remove(String name) {
    List<Integer> found = indexesOf(name);
    for (int i = found.size() - 1; i >= 0; i--) {
      headers.remove((int) found.get(i));
    }
  }

  void set(String name, String value) {
    remove(name);
    headers.add(name + ": " + value);
  }

  boolean chunked() {
    return indexesOf("Transfer-Encoding").stream()
        .anyMatch(i -> valueOf(headers.get(i)).toLowerCase(Locale.ROOT).contains("chunked"));
  }

  static String nameOf(String line) {
    int colon = line.indexOf(':');
    return colon < 0 ? line : line.substring(0, colon);
  }

  static String valueOf(String line) {
    int colon = line.indexOf(':');
    return colon < 0 ? "" : line.substring(colon + 1).trim();
  }

  /** The line end after head line {@code i} (0: the request line; headers.size()+1 lines in all). */
  String lineEnd(int i) {
    return i < lineEnds.size() && lineEnds.get(i) != null ? lineEnds.get(i) : CRLF;
  }

  void lineEnd(int i, String end) {
    while (lineEnds.size() <= i) {
      lineEnds.add(null);
    }
    lineEnds.set(i, end);
  }

  /** Lines of the head including the empty one that ends it. */
  int headLines() {
    return headers.size() + 2;
  }

  String text() {
    StringBuilder out = new StringBuilder(prefix).append(method).append(beforeTarget).append(target);
    if (!version.isEmpty() || !beforeVersion.equals(" ")) {
      out.append(beforeVersion).append(version);
    }
    out.append(afterVersion).append(lineEnd(0));
    for (int i = 0; i < headers.size(); i++) {
      out.append(headers.get(i)).append(lineEnd(i + 1));
    }
    out.append(lineEnd(headers.size() + 1)).append(body);
    if (next != null) {
      out.append(next.text());
    }
    return out.toString();
  }

  byte[] bytes() {
    return text().getBytes(StandardCharsets.ISO_8859_1);
  }

  int requests() {
    return next == null ? 1 : 1 + next.requests();
  }
}
