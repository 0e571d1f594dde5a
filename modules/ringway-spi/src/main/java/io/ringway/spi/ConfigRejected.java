package io.ringway.spi;

import java.util.List;

/**
 * A config document that failed validation and was not applied.
 *
 * @param source where the document came from
 * @param errors every error found, in document order
 * @param runningVersion the version that stays in force
 */
public record ConfigRejected(String source, List<ConfigError> errors, long runningVersion) {

  public ConfigRejected {
    errors = List.copyOf(errors);
  }
}
