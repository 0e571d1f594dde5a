package io.ringway.http.impl;

import io.ringway.spi.config.AccessLogConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/** A compiled access-log template: literal text and fields, appended without any parsing per line. */
final class AccessLogFormat {

  private enum Field {
    TIME, REMOTE, METHOD, URI, PATH, PROTOCOL, HOST, STATUS, BYTES, BYTES_IN, DURATION, ROUTE, UPSTREAM,
    REQUEST_ID, USER_AGENT, TRACE_ID
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Strings and {@link Field}s in template order. */
  private final List<Object> parts;

  private AccessLogFormat(List<Object> parts) {
    this.parts = parts;
  }

  /** Compiles a template the config already checked: every placeholder names one of {@link AccessLogConfig#FIELDS}. */
  static AccessLogFormat compile(String template) {
    List<Object> parts = new ArrayList<>();
    Matcher placeholder = AccessLogConfig.PLACEHOLDER.matcher(template);
    int literalStart = 0;
    while (placeholder.find()) {
      if (placeholder.start() > literalStart) {
        parts.add(template.substring(literalStart, placeholder.start()));
      }
      // FIELDS and Field are in the same order.
      parts.add(Field.values()[AccessLogConfig.FIELDS.indexOf(placeholder.group(1))]);
      literalStart = placeholder.end();
    }
    if (literalStart < template.length()) {
      parts.add(template.substring(literalStart));
    }
    return new AccessLogFormat(List.copyOf(parts));
  }

  /** Appends one line, without its line end. */
  void append(StringBuilder line, AccessLogEntry entry) {
    for (Object part : parts) {
      if (part instanceof String literal) {
        line.append(literal);
        continue;
      }
      switch ((Field) part) {
        case TIME -> line.append(Instant.ofEpochMilli(entry.startMillis()));
        case REMOTE -> text(line, entry.remote());
        case METHOD -> text(line, entry.method());
        case URI -> text(line, entry.uri());
        case PATH -> text(line, entry.path());
        case PROTOCOL -> text(line, entry.protocol());
        case HOST -> text(line, entry.host());
        case STATUS -> line.append(entry.status());
        case BYTES -> line.append(entry.bytes());
        case BYTES_IN -> line.append(entry.bytesIn());
        case DURATION -> line.append(entry.durationNanos() / 1_000_000);
        case ROUTE -> text(line, entry.route());
        case UPSTREAM -> text(line, entry.upstream());
        case REQUEST_ID -> text(line, entry.requestId());
        case USER_AGENT -> text(line, entry.userAgent());
        case TRACE_ID -> text(line, entry.traceId());
      }
    }
  }

  /**
   * Client-supplied text, escaped as nginx escapes it: {@code "}, {@code \}, control bytes and bytes above 0x7E as
   * {@code \xHH}. So a value can neither end a quoted field of the template early (a user agent {@code x" 200 "y}
   * forged fields of a line) nor start a new line, and the file stays ASCII whatever bytes a client sent.
   */
  private static void text(StringBuilder line, String value) {
    if (value == null || value.isEmpty()) {
      line.append('-');
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c > 0xff) {
        // Not a byte a client sent (header values arrive one char per byte): an id or name of the router's own.
        line.append("\\u").append(HEX[c >> 12]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
      } else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        line.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      } else {
        line.append(c);
      }
    }
  }
}
