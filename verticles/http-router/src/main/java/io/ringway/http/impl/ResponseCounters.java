package io.ringway.http.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Finished requests by status class and by latency, on one loop (plain fields). Status 0 means the
 * client went away before its response ended; those count as {@code aborted} and not in the histogram.
 */
final class ResponseCounters {

  /** Upper bounds of the latency buckets, in milliseconds; the last bucket takes everything slower. */
  static final long[] LATENCY_BOUNDS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  private final long[] statusClasses = new long[6];
  private final long[] latency = new long[LATENCY_BOUNDS_MS.length + 1];
  private long aborted;

  void record(int status, long nanos) {
    if (status == 0) {
      aborted++;
      return;
    }
    int cls = status / 100;
    statusClasses[cls >= 1 && cls <= 5 ? cls : 0]++;
    long millis = nanos / 1_000_000;
    int bucket = 0;
    while (bucket < LATENCY_BOUNDS_MS.length && millis > LATENCY_BOUNDS_MS[bucket]) {
      bucket++;
    }
    latency[bucket]++;
  }

  long statusClass(int cls) {
    return statusClasses[cls];
  }

  /** Adds {@code 1xx}..{@code 5xx}, {@code aborted} and {@code latencyMs} ({@code le:-1} is the overflow bucket). */
  JsonObject addTo(JsonObject json) {
    JsonArray buckets = new JsonArray();
    for (int i = 0; i < latency.length; i++) {
      buckets.add(new JsonObject().put("le", i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : -1)
          .put("count", latency[i]));
    }
    return json.put("1xx", statusClasses[1]).put("2xx", statusClasses[2]).put("3xx", statusClasses[3])
        .put("4xx", statusClasses[4]).put("5xx", statusClasses[5]).put("aborted", aborted).put("latencyMs", buckets);
  }
}
