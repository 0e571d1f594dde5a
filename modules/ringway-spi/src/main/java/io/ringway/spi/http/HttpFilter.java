package io.ringway.spi.http;

import io.vertx.core.json.JsonObject;

/** One filter of one route on one event loop. Every method runs on that loop and must not block. */
public interface HttpFilter {

  /** Looks at a request head: {@link FilterVerdict#CONTINUE} hands it on, a {@link FilterVerdict.Reply} answers it. */
  FilterVerdict onRequest(FilterRequest request);

  /** This filter's counters, shown under the route in {@code /stats} (summed over event loops). */
  JsonObject stats();

  /** The route or its filter config went away: release timers and state. */
  default void close() {
  }
}
