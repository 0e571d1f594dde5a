package io.ringway.http.impl;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Whether a comma-separated field (RFC 9110 §5.6.1) holds a token. Vert.x's headers answer
 * {@code containsValue} by prefix ({@code Connection: Up} "contains" {@code upgrade}), so framing and
 * upgrade decisions go through this instead.
 */
final class HeaderTokens {

  private HeaderTokens() {
  }

  static boolean contains(HttpHeaders headers, CharSequence name, String token) {
    if (headers.get(name) == null) {
      // The usual case, answered without the list getAll allocates on every request.
      return false;
    }
    return contains(headers.getAll(name), token);
  }

  /** Whether any of the field lines {@code fields} holds {@code token}. */
  static boolean contains(Iterable<String> fields, String token) {
    for (String field : fields) {
      int from = 0;
      while (from <= field.length()) {
        int comma = field.indexOf(',', from);
        int end = comma < 0 ? field.length() : comma;
        int start = from;
        while (start < end && (field.charAt(start) == ' ' || field.charAt(start) == '\t')) {
          start++;
        }
        int stop = end;
        while (stop > start && (field.charAt(stop - 1) == ' ' || field.charAt(stop - 1) == '\t')) {
          stop--;
        }
        if (stop - start == token.length() && field.regionMatches(true, start, token, 0, token.length())) {
          return true;
        }
        from = end + 1;
      }
    }
    return false;
  }
}
