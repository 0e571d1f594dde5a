package io.ringway.spi.message;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A request on {@link io.ringway.spi.Addresses#CONFIG_APPLY}: run this raw document, overlaid with the
 * node's own overrides, as {@code version} (ignored unless newer than the running one). Also the form
 * the cluster stores each config version in.
 *
 * @param version the version the cluster gave the document
 * @param document the raw config document, before this node's overrides
 * @param source where it came from, for logs and {@code /config}
 */
public record ConfigApply(long version, JsonObject document, String source) {

  /** Copies {@code document}: records travel by reference, so no one may keep a mutable handle on them. */
  public ConfigApply {
    document = Objects.requireNonNull(document, "document").copy();
    Objects.requireNonNull(source, "source");
  }

  /** A copy of the document, free to change. */
  @Override
  public JsonObject document() {
    return document.copy();
  }

  /** {@code {"version":N,"document":{..},"source":".."}}. */
  public JsonObject toJson() {
    return new JsonObject().put("version", version).put("document", document.copy()).put("source", source);
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} naming the bad field. */
  public static ConfigApply fromJson(JsonObject json) {
    return new ConfigApply(JsonFields.longValue(json, "version"), JsonFields.object(json, "document"),
        JsonFields.string(json, "source"));
  }
}
