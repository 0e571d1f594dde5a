package io.ringway.spi.config;

import java.util.Objects;

/**
 * A condition on the request path (without the query).
 *
 * @param kind how {@code value} is compared
 * @param value the exact path, the prefix, or a Java regex that must match the whole path
 */
public record PathMatch(Kind kind, String value) {

  /** How a path is compared. */
  public enum Kind { EXACT, PREFIX, REGEX }

  public PathMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static PathMatch exact(String path) {
    return new PathMatch(Kind.EXACT, path);
  }

  public static PathMatch prefix(String prefix) {
    return new PathMatch(Kind.PREFIX, prefix);
  }

  public static PathMatch regex(String regex) {
    return new PathMatch(Kind.REGEX, regex);
  }
}
