package io.ringway.spi.http;

import io.vertx.core.buffer.Buffer;

/**
 * Rewrites a response body as it streams (compression): called on the event loop, chunk by chunk, under the
 * router's backpressure. Holds native or pooled state, so {@link #close()} always runs, whether the body ended
 * or broke.
 */
public interface BodyTransform {

  /** What to send for {@code chunk}; may be empty. */
  Buffer transform(Buffer chunk);

  /** What to send after the last chunk; may be empty. */
  Buffer finish();

  /** Releases what the transform holds; called once, after {@link #finish()} or instead of it. */
  default void close() {
  }
}
