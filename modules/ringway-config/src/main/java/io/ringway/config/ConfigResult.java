package io.ringway.config;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.RingwayConfig;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of loading or checking a config: the config, or every error found, never both.
 *
 * @param config the validated config; null when invalid
 * @param errors every error found, each with its path; empty when valid
 */
public record ConfigResult(RingwayConfig config, List<ConfigError> errors) {

  public ConfigResult {
    errors = List.copyOf(errors);
    if ((config == null) == errors.isEmpty()) {
      throw new IllegalArgumentException("a config result has a config or errors, not both and not neither");
    }
  }

  /** A valid result. */
  public static ConfigResult valid(RingwayConfig config) {
    return new ConfigResult(Objects.requireNonNull(config), List.of());
  }

  /** An invalid result; {@code errors} must not be empty. */
  public static ConfigResult invalid(List<ConfigError> errors) {
    return new ConfigResult(null, errors);
  }

  /** Whether the config is usable: no errors. */
  public boolean isValid() {
    return errors.isEmpty();
  }
}
