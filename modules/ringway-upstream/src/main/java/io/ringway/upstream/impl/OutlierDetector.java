package io.ringway.upstream.impl;

import io.ringway.spi.upstream.OutlierDetectionConfig;

/**
 * Passive ejection on consecutive connect failures, or at once on a refused connect: a refusal says nothing
 * listens there, so the next connect would be refused too, and each pick until the streak ends costs a request a
 * try (a burst of them, when a loaded endpoint dies). The n-th ejection in a row lasts n × base,
 * capped at max; the multiplier decays by one for each base period the endpoint then stays in, so
 * an old bad hour does not cost maximum ejections forever (as Envoy does).
 */
final class OutlierDetector {

  private final OutlierDetectionConfig config;
  private final long baseNanos;
  private final long maxNanos;

  OutlierDetector(OutlierDetectionConfig config) {
    this.config = config;
    this.baseNanos = config.baseEjectionTime().toNanos();
    this.maxNanos = config.maxEjectionTime().toNanos();
  }

  /** A connect to the endpoint worked: its failure streak ends. */
  void onSuccess(EndpointState state) {
    state.consecutiveFailures = 0;
  }

  /**
   * Counts a connect failure and ejects the endpoint when its streak reaches the threshold, or at once when
   * the connect was {@code refused}.
   *
   * @param members endpoints in the cluster now
   * @param ejectedNow of those, how many are ejected now
   * @return {@code EJECTED} when this failure ejected it, {@code OVERFLOW} when the percent cap
   *     stopped an ejection, {@code NONE} otherwise
   */
  Outcome onFailure(EndpointState state, int members, int ejectedNow, long nowNanos, boolean refused) {
    state.consecutiveFailures++;
    if (state.ejected || !refused && state.consecutiveFailures < config.consecutiveConnectFailures()) {
      return Outcome.NONE;
    }
    if (ejectedNow >= maxEjected(members)) {
      return Outcome.OVERFLOW;
    }
    // a multiplier above 0 means an earlier ejection ended at returnedAtNanos
    long decay = state.ejectionMultiplier == 0 ? 0 : (nowNanos - state.returnedAtNanos) / baseNanos;
    state.ejectionMultiplier = (int) Math.max(0, state.ejectionMultiplier - decay) + 1;
    state.ejected = true;
    state.ejectedUntilNanos = nowNanos + ejectionNanos(state.ejectionMultiplier);
    state.consecutiveFailures = 0;
    state.ejections++;
    return Outcome.EJECTED;
  }

  /** Brings the endpoint back if its ejection is over; returns whether it did. */
  boolean returnIfDue(EndpointState state, long nowNanos) {
    if (!state.ejected || nowNanos - state.ejectedUntilNanos < 0) {
      return false;
    }
    state.ejected = false;
    // the scheduled end, not the moment someone looked: decay must not depend on traffic
    state.returnedAtNanos = state.ejectedUntilNanos;
    return true;
  }

  /** Ejection time of the n-th ejection in a row. */
  long ejectionNanos(int multiplier) {
    return baseNanos > maxNanos / multiplier ? maxNanos : Math.min(maxNanos, baseNanos * multiplier);
  }

  /** Endpoints that may be ejected at once: the percent of the cluster, but at least one when the percent is above 0. */
  int maxEjected(int members) {
    int percent = config.maxEjectedPercent();
    return percent == 0 ? 0 : Math.max(1, members * percent / 100);
  }

  enum Outcome { NONE, EJECTED, OVERFLOW }
}
