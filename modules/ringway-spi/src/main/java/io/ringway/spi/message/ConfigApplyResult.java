package io.ringway.spi.message;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The reply to a {@link ConfigApply}.
 *
 * @param applied whether the document now runs
 * @param version the version running after the request
 * @param errors why the document was refused; empty when it was applied or simply not newer
 */
public record ConfigApplyResult(boolean applied, long version, List<ConfigError> errors) {

  public ConfigApplyResult {
    errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
  }

  /** {@code {"applied":bool,"version":N,"errors":[{"path":..,"message":..},..]}}. */
  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    errors.forEach(error -> array.add(error.toJson()));
    return new JsonObject().put("applied", applied).put("version", version).put("errors", array);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigApplyResult fromJson(JsonObject json) {
    return new ConfigApplyResult(JsonFields.bool(json, "applied"), JsonFields.longValue(json, "version"),
        JsonFields.list(json, "errors", ConfigError::fromJson));
  }
}
