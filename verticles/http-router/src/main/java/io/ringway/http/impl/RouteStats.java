package io.ringway.http.impl;

import io.ringway.spi.config.RetryBudget;
import io.vertx.core.json.JsonObject;

/**
 * Counters of one route on one loop: requests, responses by status class and a latency histogram.
 * Touched only on the owning loop, so plain fields; the admin API sums them over loops.
 */
public final class RouteStats {

  long requests;
  final ResponseCounters responses = new ResponseCounters();
  /** Upstream attempts beyond the first. */
  long retries;
  /** Requests answered 504 because the route timeout (or the last per-try timeout) passed. */
  long timeouts;
  /** Requests refused 503 because the cluster was at its limits or had no endpoint. */
  long overloaded;
  /** WebSocket upgrades the upstream accepted (101), now tunnels. */
  long upgrades;
  /**
   * Of {@link #retries}, those after a try no server saw (connect failed, pooled connection closed before the
   * write, refused stream): made outside the retry budget, since they multiply no upstream work.
   */
  long failoverRetries;
  /** Retries not made because the route's retry budget was spent. */
  long retryBudgetExhausted;
  /** Requests one of the route's filters answered itself (429, 401..) instead of its action. */
  long filtered;
  /** Requests routed here and not answered yet (a gauge). */
  long inFlight;
  /** Upstream tries beyond the first that are under way (a gauge, bounded by the retry budget). */
  long retriesInFlight;

  /** Takes one retry from {@code budget}, or counts the refusal and returns false. */
  boolean startRetry(RetryBudget budget) {
    if (!budget.allows(retriesInFlight, inFlight)) {
      retryBudgetExhausted++;
      return false;
    }
    retriesInFlight++;
    return true;
  }

  void endRetry() {
    retriesInFlight--;
  }

  public long requests() {
    return requests;
  }

  /** Responses of one status class (1..5). */
  public long statusClass(int cls) {
    return responses.statusClass(cls);
  }

  public long retries() {
    return retries;
  }

  JsonObject toJson(String route) {
    return responses.addTo(new JsonObject().put("route", route).put("requests", requests))
        .put("retries", retries).put("failoverRetries", failoverRetries).put("retryBudgetExhausted", retryBudgetExhausted).put("timeouts", timeouts)
        .put("overloaded", overloaded).put("upgrades", upgrades).put("inFlight", inFlight)
        .put("retriesInFlight", retriesInFlight).put("filtered", filtered);
  }
}
