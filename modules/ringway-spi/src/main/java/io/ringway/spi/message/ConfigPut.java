package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A request on {@link io.ringway.spi.Addresses#CLUSTER_CONFIG_PUT}, from {@code PUT /config}: store this
 * document as the cluster's next config version. Replied with {@link ConfigStored}.
 *
 * @param text the document as sent, YAML or JSON
 * @param ifVersion the version the writer expects to replace ({@code If-Match}), or {@code null} for whichever is current
 */
public record ConfigPut(String text, Long ifVersion) {

  public ConfigPut {
    Objects.requireNonNull(text, "text");
  }

  /** {@code {"text":"..","ifVersion":N}}, without {@code ifVersion} when there is none. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("text", text);
    return ifVersion == null ? json : json.put("ifVersion", ifVersion);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigPut fromJson(JsonObject json) {
    return new ConfigPut(JsonFields.string(json, "text"), JsonFields.optionalLong(json, "ifVersion"));
  }
}
