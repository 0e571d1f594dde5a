package io.ringway.http.impl;

import io.vertx.core.http.HttpClientResponse;
import io.ringway.spi.http.BodyTransform;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Streams an upstream response body to the client under backpressure. Not a Vert.x pipe: a failing pipe
 * ends its destination, which closes a chunked body cleanly and makes a cut-off response look complete,
 * and a write failing on a just-closed connection makes the pipe end a response it is still writing.
 */
final class BodyRelay {

  private final HttpClientResponse from;
  private final HttpServerResponse to;
  private final Runnable onOver;
  private final Consumer<Throwable> onFailure;
  /** Rewrites the body (compression), or null. */
  private final BodyTransform transform;
  /** Bytes of a body of declared length still to come, or -1 when the length is not declared. */
  private long unsent;
  private boolean over;

  private BodyRelay(HttpClientResponse from, HttpServerResponse to, BodyTransform transform, Runnable onOver,
                    Consumer<Throwable> onFailure) {
    this.from = from;
    this.to = to;
    this.transform = transform;
    this.onOver = onOver;
    this.onFailure = onFailure;
  }

  /**
   * Relays {@code from}'s body to {@code to}, whose head is set. An upstream failure resets the client's
   * stream (HTTP/1: closes the connection); {@code onOver} runs once, when the body ended or broke, and
   * {@code onFailure} gets what broke it.
   */
  static void relay(HttpClientResponse from, HttpServerResponse to, BodyTransform transform, Runnable onOver,
                    Consumer<Throwable> onFailure) {
    new BodyRelay(from, to, transform, onOver, onFailure).start();
  }

  private void start() {
    // A transformed body has another length: the upstream's says nothing about when to end.
    unsent = transform == null ? declaredLength(from) : -1;
    from.handler(chunk -> {
      if (over) {
        return;
      }
      if (unsent >= 0 && (unsent -= chunk.length()) <= 0) {
        // The last bytes: ending with them saves HTTP/2 a second write for an empty END_STREAM frame.
        if (finish()) {
          to.end(chunk);
        }
        return;
      }
      Buffer out = transform == null ? chunk : transform.transform(chunk);
      if (out.length() > 0) {
        to.write(out);
      }
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
    from.exceptionHandler(e -> {
      if (finish()) {
        release();
        onFailure.accept(e);
        to.reset();
      }
    });
    from.endHandler(v -> {
      if (finish()) {
        forwardTrailers(from, to);
        if (transform == null) {
          to.end();
        } else {
          Buffer last = transform.finish();
          release();
          to.end(last);
        }
      }
    });
  }

  /**
   * The upstream's trailer section (gRPC's grpc-status lives there), as HTTP/2 trailers or the last chunk of a
   * chunked HTTP/1 response; a response with a content-length has no place for them in HTTP/1, so they go.
   * Fields that frame or route a message never belong in trailers (RFC 9110 6.5.1): not forwarded.
   */
  private static void forwardTrailers(HttpClientResponse from, HttpServerResponse to) {
    MultiMap trailers = from.trailers();
    if (trailers.isEmpty() || to.headers().contains(HttpHeaders.CONTENT_LENGTH) && !isHttp2(to)) {
      return;
    }
    for (Map.Entry<String, String> trailer : trailers) {
      if (!ProxyHeaders.isForbiddenTrailer(trailer.getKey())) {
        to.trailers().add(trailer.getKey(), trailer.getValue());
      }
    }
  }

  private static boolean isHttp2(HttpServerResponse response) {
    return response.streamId() >= 0;
  }

  private static long declaredLength(HttpClientResponse response) {
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private boolean finish() {
    if (over) {
      return false;
    }
    over = true;
    onOver.run();
    return true;
  }

  /** The transform's state goes once the relay is over, however it ended. */
  private void release() {
    if (transform != null) {
      transform.close();
    }
  }
}
