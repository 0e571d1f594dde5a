package io.ringway.spi.message;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The reply to a {@link ConfigCheck}.
 *
 * @param errors every error found, each with its path; empty when the document is valid
 */
public record ConfigChecked(List<ConfigError> errors) {

  public ConfigChecked {
    errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
  }

  /** Whether the document would be accepted. */
  public boolean valid() {
    return errors.isEmpty();
  }

  /** {@code {"valid":bool,"errors":[{"path":..,"message":..},..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    errors.forEach(error -> array.add(error.toJson()));
    return new JsonObject().put("valid", valid()).put("errors", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigChecked fromJson(JsonObject json) {
    return new ConfigChecked(JsonFields.list(json, "errors", ConfigError::fromJson));
  }
}
