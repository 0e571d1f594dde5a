package io.ringway.spi.config;

import java.util.Objects;

/**
 * A condition on a request header or query parameter; it holds when any value of the field holds.
 *
 * @param name header name (case-insensitive) or query-parameter name (case-sensitive)
 * @param kind {@code PRESENT}, {@code EXACT} or {@code REGEX} (a Java regex matching the whole value)
 * @param value the value to compare; ignored (may be null) for {@code PRESENT}
 */
public record FieldMatch(String name, Kind kind, String value) {

  /** How a field's values are compared. */
  public enum Kind { PRESENT, EXACT, REGEX }

  public FieldMatch {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if (kind != Kind.PRESENT) {
      Objects.requireNonNull(value, "value");
    }
  }

  public static FieldMatch present(String name) {
    return new FieldMatch(name, Kind.PRESENT, null);
  }

  public static FieldMatch exact(String name, String value) {
    return new FieldMatch(name, Kind.EXACT, value);
  }

  public static FieldMatch regex(String name, String regex) {
    return new FieldMatch(name, Kind.REGEX, regex);
  }
}
