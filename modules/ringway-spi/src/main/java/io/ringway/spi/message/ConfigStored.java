package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;

/**
 * The reply to a {@link ConfigPut} that was stored; {@code PUT /config} answers it as is.
 *
 * @param version the version the document was stored as
 */
public record ConfigStored(long version) {

  /** {@code {"version":N}}. */
  public JsonObject toJson() {
    return new JsonObject().put("version", version);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigStored fromJson(JsonObject json) {
    return new ConfigStored(JsonFields.longValue(json, "version"));
  }
}
