package io.ringway.upstream.impl;

/**
 * The threshold state machine of one endpoint's active health. Starts healthy, as HAProxy does, so
 * a node that just started serves at once; it takes {@code unhealthyThreshold} failures in a row to
 * go down and {@code healthyThreshold} passes in a row to come back.
 */
public final class HealthState {

  private final int healthyThreshold;
  private final int unhealthyThreshold;
  private boolean healthy = true;
  private int streak;

  public HealthState(int healthyThreshold, int unhealthyThreshold) {
    if (healthyThreshold < 1 || unhealthyThreshold < 1) {
      throw new IllegalArgumentException("thresholds must be at least 1");
    }
    this.healthyThreshold = healthyThreshold;
    this.unhealthyThreshold = unhealthyThreshold;
  }

  public boolean healthy() {
    return healthy;
  }

  /**
   * Records one probe.
   *
   * @return whether this probe flipped the state
   */
  public boolean record(boolean passed) {
    if (passed == healthy) {
      // a result that agrees with the state breaks any streak toward the other one
      streak = 0;
      return false;
    }
    streak++;
    if (streak < (healthy ? unhealthyThreshold : healthyThreshold)) {
      return false;
    }
    healthy = passed;
    streak = 0;
    return true;
  }
}
