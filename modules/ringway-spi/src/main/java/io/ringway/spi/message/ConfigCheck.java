package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A request on {@link io.ringway.spi.Addresses#CONFIG_CHECK}, from {@code POST /config/validate}: judge this
 * document as {@code ringway validate} would, and change nothing. Replied with {@link ConfigChecked}.
 *
 * @param text the document as sent, YAML or JSON
 */
public record ConfigCheck(String text) {

  public ConfigCheck {
    Objects.requireNonNull(text, "text");
  }

  /** {@code {"text":".."}}. */
  public JsonObject toJson() {
    return new JsonObject().put("text", text);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigCheck fromJson(JsonObject json) {
    return new ConfigCheck(JsonFields.string(json, "text"));
  }
}
