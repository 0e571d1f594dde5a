package io.ringway.http.impl;

import io.ringway.upstream.Refusal;

/**
 * What a forwarded request is answered when its cluster gives no endpoint to try, the same on both data paths
 * ({@link ProxyExchange}, {@link ByteExchange}): after tries, 504 if the last one timed out, else 503; before any, 503
 * "overloaded" (with {@code x-ringway-overloaded}) at the cluster's limits, else "no healthy upstream", counted as
 * the route's {@code overloaded}.
 *
 * @param overloaded whether the answer carries {@code x-ringway-overloaded: true}
 */
record RefusedTry(int status, String message, boolean overloaded) {

  static RefusedTry of(Refusal refusal, int tries, boolean lastTryTimedOut, RouteStats stats) {
    if (tries > 0) {
      return new RefusedTry(lastTryTimedOut ? 504 : 503, "upstream unavailable after " + tries + " tries", false);
    }
    stats.overloaded++;
    boolean limit = refusal.isLimit();
    return new RefusedTry(503, limit ? "upstream overloaded" : "no healthy upstream", limit);
  }
}
