package io.ringway.spi;

import io.ringway.spi.message.JsonFields;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One problem found in a config document.
 *
 * @param path where, in the document's own terms: {@code http.routes[2].cluster}
 * @param message what is wrong and what was expected
 */
public record ConfigError(String path, String message) {

  public ConfigError {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  /** Prints as {@code path: message}, the form users see. */
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }

  /** {@code {"path":..,"message":..}}. */
  public JsonObject toJson() {
    return new JsonObject().put("path", path).put("message", message);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigError fromJson(JsonObject json) {
    return new ConfigError(JsonFields.string(json, "path"), JsonFields.string(json, "message"));
  }
}
