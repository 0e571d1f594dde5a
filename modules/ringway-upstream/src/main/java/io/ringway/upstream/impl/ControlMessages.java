package io.ringway.upstream.impl;

/** Reads control-plane message bodies, which arrive as their records (see {@code MessageCodecs}). */
final class ControlMessages {

  private ControlMessages() {
  }

  /** The body as {@code type}; throws {@link IllegalArgumentException} saying what arrived instead. */
  static <T> T decode(Object body, Class<T> type) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    throw new IllegalArgumentException("expected " + type.getSimpleName() + ", got "
        + (body == null ? "null" : body.getClass().getSimpleName()));
  }
}
