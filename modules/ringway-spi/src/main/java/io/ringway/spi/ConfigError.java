package io.ringway.spi;

/**
 * One problem found in a config document.
 *
 * @param path where, in the document's own terms: {@code http.routes[2].cluster}
 * @param message what is wrong and what was expected
 */
public record ConfigError(String path, String message) {

  /** Prints as {@code path: message}, the form users see. */
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
