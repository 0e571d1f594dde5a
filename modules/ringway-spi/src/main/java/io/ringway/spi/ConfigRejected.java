package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * A config document that failed validation and was not applied.
 *
 * @param source where the document came from
 * @param errors every error found, in document order
 * @param runningVersion the version that stays in force
 */
public record ConfigRejected(String source, List<ConfigError> errors, long runningVersion) {

  public ConfigRejected {
    Objects.requireNonNull(source, "source");
    errors = List.copyOf(errors);
  }

  /** {@code {"source":..,"errors":[{"path":..,"message":..},..],"runningVersion":N}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    errors.forEach(error -> array.add(error.toJson()));
    return new JsonObject().put("source", source).put("errors", array).put("runningVersion", runningVersion);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigRejected fromJson(JsonObject json) {
    return new ConfigRejected(JsonFields.string(json, "source"), JsonFields.list(json, "errors", ConfigError::fromJson),
        JsonFields.longValue(json, "runningVersion"));
  }
}
