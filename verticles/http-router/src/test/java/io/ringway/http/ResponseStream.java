package io.ringway.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTTP/1.x responses in the bytes a proxy sent back so far, parsed just enough to know when the last one
 * is whole (Content-Length, chunked, no body), so a kept-alive connection need not be waited out.
 */
final class ResponseStream {

  /** One response head: its status, whether the backend marked it, whether its body is all there. */
  record Response(int status, boolean marked, boolean complete) {
  }

  final List<Response> finals = new ArrayList<>();
  /** A 101: what follows is another protocol. */
  boolean upgraded;
  /** Bytes that are not an HTTP/1.x response (HTTP/0.9-ish, garbage). */
  boolean foreign;
  /** Bytes of a response head that never finished. */
  boolean partial;

  static ResponseStream parse(byte[] data, int length, boolean head) {
    ResponseStream stream = new ResponseStream();
    String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
    int at = 0;
    while (at < text.length()) {
      String rest = text.substring(at, Math.min(text.length(), at + 5));
      if (!"HTTP/".startsWith(rest) && !rest.startsWith("HTTP/")) {
        stream.foreign = true;
        return stream;
      }
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd < 0) {
        stream.partial = true;
        return stream;
      }
      String[] lines = text.substring(at, headEnd).split("\r\n");
      int status = status(lines[0]);
      long contentLength = -1;
      boolean chunked = false;
      boolean marked = false;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i].toLowerCase(Locale.ROOT);
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = parseLength(value);
          case "transfer-encoding" -> chunked = value.contains("chunked");
          case MarkerBackend.MARKER -> marked = true;
          default -> { }
        }
      }
      at = headEnd + 4;
      if (status == 101) {
        stream.upgraded = true;
        stream.finals.add(new Response(status, marked, true));
        return stream;
      }
      if (status >= 100 && status < 200) {
        continue;
      }
      boolean bodyless = (head && stream.finals.isEmpty()) || status == 204 || status == 304;
      int end;
      if (bodyless) {
        end = at;
      } else if (chunked) {
        end = chunkedEnd(text, at);
      } else if (contentLength >= 0) {
        end = at + contentLength <= text.length() ? (int) (at + contentLength) : -1;
      } else {
        end = -1;
      }
      stream.finals.add(new Response(status, marked, end >= 0));
      if (end < 0) {
        return stream;
      }
      at = end;
    }
    return stream;
  }

  /** Whether the last response is whole and it was the {@code expected}th: what comes after is not waited for. */
  boolean done(int expected) {
    if (finals.isEmpty()) {
      return false;
    }
    Response last = finals.get(finals.size() - 1);
    return last.complete() && finals.size() >= expected;
  }

  private static int status(String line) {
    String[] parts = line.split(" ", 3);
    try {
      return parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The index just past a whole chunked body starting at {@code at}, or -1 while it is not all there. */
  private static int chunkedEnd(String text, int at) {
    while (true) {
      int lineEnd = text.indexOf("\r\n", at);
      if (lineEnd < 0) {
        return -1;
      }
      String size = text.substring(at, lineEnd);
      int semicolon = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      } catch (NumberFormatException e) {
        return -1;
      }
      at = lineEnd + 2;
      if (n == 0) {
        // Trailers, then the empty line.
        while (true) {
          int end = text.indexOf("\r\n", at);
          if (end < 0) {
            return -1;
          }
          if (end == at) {
            return end + 2;
          }
          at = end + 2;
        }
      }
      if (at + n + 2 > text.length()) {
        return -1;
      }
      at = (int) (at + n + 2);
    }
  }
}
