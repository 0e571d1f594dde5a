package io.ringway.spi.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One filter of one route on one event loop. Every method runs on that loop and must not block. */
public interface HttpFilter {

  /**
   * Looks at a request head: {@link FilterVerdict#CONTINUE} hands it on, a {@link FilterVerdict.Reply} answers it.
   * A filter that decides at once returns a completed future ({@link FilterVerdict#PROCEED} costs no allocation)
   * and the router goes on without a pause; one that must wait (a key set still loading) returns a pending future,
   * and the router holds the request, body unread, until it completes. A failed future is answered 500.
   */
  Future<FilterVerdict> onRequest(FilterRequest request);

  /**
   * Looks at a forwarded response's head before its body is relayed (filters in reverse order): may edit the head
   * and return a transform of the body, or null to leave the body alone. Only responses from an upstream come
   * here, not the router's own answers.
   */
  default BodyTransform onResponse(FilterRequest request, FilterResponse response) {
    return null;
  }

  /** This filter's counters, shown under the route in {@code /stats} (summed over event loops). */
  JsonObject stats();

  /** The route or its filter config went away: release timers and state. */
  default void close() {
  }
}
