package io.ringway.upstream.impl;

import io.ringway.spi.upstream.PickContext;
import java.util.Arrays;

/** A pick context with state the test sets by hand: which endpoints are candidates, their load, the key. */
final class FixedPick implements PickContext {

  final boolean[] candidate;
  final int[] active;
  String key;

  FixedPick(int endpoints) {
    candidate = new boolean[endpoints];
    active = new int[endpoints];
    Arrays.fill(candidate, true);
  }

  FixedPick key(String key) {
    this.key = key;
    return this;
  }

  @Override
  public String hashKey() {
    return key;
  }

  @Override
  public boolean isCandidate(int index) {
    return candidate[index];
  }

  @Override
  public int activeRequests(int index) {
    return active[index];
  }
}
