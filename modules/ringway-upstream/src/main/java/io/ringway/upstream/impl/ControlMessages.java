package io.ringway.upstream.impl;

import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/** Reads control-plane message bodies, which arrive as the record (local codec) or as JSON (clustered). */
final class ControlMessages {

  private ControlMessages() {
  }

  /** The body as {@code type}; throws {@link IllegalArgumentException} saying what arrived instead. */
  static <T> T decode(Object body, Class<T> type, Function<JsonObject, T> fromJson) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    if (body instanceof JsonObject json) {
      return fromJson.apply(json);
    }
    throw new IllegalArgumentException("expected a JSON object, got "
        + (body == null ? "null" : body.getClass().getSimpleName()));
  }
}
