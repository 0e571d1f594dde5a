package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.PickContext;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Draws an endpoint index with probability proportional to its weight, among candidates only.
 * Usually all endpoints are candidates, so it draws over the whole list in O(log n) and only falls
 * back to a linear pass when repeated draws keep hitting ejected or already-tried endpoints.
 */
final class WeightedSampler {

  private static final int DRAWS_BEFORE_SCAN = 4;

  private final int[] weights;
  private final long[] cumulative;
  private final long total;

  WeightedSampler(List<Endpoint> endpoints) {
    weights = new int[endpoints.size()];
    cumulative = new long[endpoints.size()];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = endpoints.get(i).weight();
      sum += weights[i];
      cumulative[i] = sum;
    }
    total = sum;
  }

  int weight(int index) {
    return weights[index];
  }

  /** A candidate drawn by weight, or -1 when there is none. */
  int sample(RandomGenerator random, PickContext context) {
    if (total == 0) {
      return -1;
    }
    for (int draw = 0; draw < DRAWS_BEFORE_SCAN; draw++) {
      int index = indexOf(random.nextLong(total));
      if (context.isCandidate(index)) {
        return index;
      }
    }
    return scan(random, context);
  }

  private int indexOf(long point) {
    int found = Arrays.binarySearch(cumulative, point + 1);
    return found >= 0 ? found : -found - 1;
  }

  private int scan(RandomGenerator random, PickContext context) {
    long candidates = 0;
    for (int i = 0; i < weights.length; i++) {
      if (context.isCandidate(i)) {
        candidates += weights[i];
      }
    }
    if (candidates == 0) {
      return -1;
    }
    long point = random.nextLong(candidates);
    for (int i = 0; i < weights.length; i++) {
      if (context.isCandidate(i)) {
        point -= weights[i];
        if (point < 0) {
          return i;
        }
      }
    }
    throw new IllegalStateException("candidate weights changed during one pick");
  }
}
