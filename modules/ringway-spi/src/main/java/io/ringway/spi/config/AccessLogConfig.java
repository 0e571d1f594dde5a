package io.ringway.spi.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The router's access log: one line per finished request, written off the event loops through a bounded
 * queue; when the queue is full a line is dropped and counted, never waited for.
 *
 * @param path a file to append to, or {@code stdout}
 * @param format a template of literal text and {@code {field}} placeholders, one of {@link #FIELDS}
 * @param queueSize lines that may wait for the writer; beyond it lines are dropped (default 8192)
 */
public record AccessLogConfig(String path, String format, int queueSize) {

  /** The destination that means the process's standard output. */
  public static final String STDOUT = "stdout";
  public static final int DEFAULT_QUEUE_SIZE = 8192;
  public static final String DEFAULT_FORMAT =
      "{time} {remote} \"{method} {uri} {protocol}\" {status} {bytes} {duration}ms {route} {upstream} {requestId}";
  /**
   * What a placeholder may name: start {@code time} (ISO-8601 UTC), client {@code remote} address,
   * {@code method}, {@code uri} (path and query), {@code path}, {@code protocol}, {@code host}, response
   * {@code status} (0 when the client went away first), response body {@code bytes}, request body
   * {@code bytesIn}, {@code duration} in milliseconds, {@code route}, {@code upstream} endpoint,
   * {@code requestId} and {@code userAgent}; a missing value is written as {@code -}.
   */
  public static final List<String> FIELDS = List.of("time", "remote", "method", "uri", "path", "protocol", "host",
      "status", "bytes", "bytesIn", "duration", "route", "upstream", "requestId", "userAgent", "traceId");
  /** A placeholder: a field name in braces. */
  public static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

  public AccessLogConfig {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize: " + queueSize + " must be positive");
    }
    String unknown = unknownField(format);
    if (unknown != null) {
      throw new IllegalArgumentException("format: unknown field {" + unknown + "}");
    }
  }

  /** The first placeholder of {@code format} that names no field, or null when all are known. */
  public static String unknownField(String format) {
    Matcher placeholder = PLACEHOLDER.matcher(format);
    while (placeholder.find()) {
      if (!FIELDS.contains(placeholder.group(1))) {
        return placeholder.group(1);
      }
    }
    return null;
  }
}
