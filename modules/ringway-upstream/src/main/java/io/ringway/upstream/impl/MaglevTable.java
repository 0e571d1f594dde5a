package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds a Maglev lookup table (Eisenbud et al., NSDI 2016): each endpoint walks its own
 * permutation of the slots and claims the next free one in turn, so removing an endpoint only frees
 * its own slots and the others mostly keep theirs. Weights follow Envoy: an endpoint of half the
 * largest weight takes a turn every second round.
 */
final class MaglevTable {

  private static final long OFFSET_SEED = 0x6d61676c65766f66L;
  private static final long SKIP_SEED = 0x6d61676c6576736bL;

  private MaglevTable() {
  }

  /**
   * @param size a prime larger than the number of endpoints (a prime makes every skip a full cycle)
   * @return slot to index in {@code endpoints}; empty when there are no endpoints
   */
  static int[] build(List<Endpoint> endpoints, int size) {
    if (endpoints.isEmpty()) {
      return new int[0];
    }
    if (endpoints.size() >= size) {
      throw new IllegalArgumentException(endpoints.size() + " endpoints do not fit a Maglev table of " + size);
    }
    // Claims depend on turn order: ordering by address gives every loop and every node the same
    // table whatever order the endpoint set arrived in.
    Integer[] order = new Integer[endpoints.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparing(i -> endpoints.get(i).address()));

    int n = order.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    long[] target = new long[n];
    int maxWeight = 0;
    for (int k = 0; k < n; k++) {
      String address = endpoints.get(order[k]).address();
      offset[k] = Hashing.slot(Hashing.hash(address, OFFSET_SEED), size);
      skip[k] = Hashing.slot(Hashing.hash(address, SKIP_SEED), size - 1) + 1;
      maxWeight = Math.max(maxWeight, endpoints.get(order[k]).weight());
    }

    int[] table = new int[size];
    Arrays.fill(table, -1);
    int filled = 0;
    for (long round = 1; filled < size; round++) {
      for (int k = 0; k < n && filled < size; k++) {
        if (round * endpoints.get(order[k]).weight() < target[k]) {
          continue;
        }
        target[k] += maxWeight;
        int slot = (int) ((offset[k] + skip[k] * next[k]) % size);
        while (table[slot] >= 0) {
          next[k]++;
          slot = (int) ((offset[k] + skip[k] * next[k]) % size);
        }
        table[slot] = order[k];
        next[k]++;
        filled++;
      }
    }
    return table;
  }
}
