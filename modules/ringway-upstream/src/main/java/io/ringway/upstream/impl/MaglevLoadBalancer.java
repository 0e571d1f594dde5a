package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.PickContext;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing on the pick's key with a Maglev table: the same key reaches the same endpoint on
 * every loop and node, and a changed endpoint set moves few keys. When the key's endpoint is not a
 * candidate (unhealthy, ejected, already tried) the walk goes on to the next slot, so only that
 * endpoint's keys move and the table is not rebuilt for a health change. Without a key it is
 * weighted random, since each endpoint's slot count follows its weight.
 */
public final class MaglevLoadBalancer implements LoadBalancer {

  /** Registered with {@link java.util.ServiceLoader} as {@code maglev}. */
  public static final class Factory implements LoadBalancerFactory {
    @Override
    public String name() {
      return "maglev";
    }

    @Override
    public LoadBalancer create(List<Endpoint> endpoints, RandomGenerator random) {
      return new MaglevLoadBalancer(endpoints, random, DEFAULT_TABLE_SIZE);
    }
  }

  /** Envoy's default size; a prime, so every endpoint's skip walks all slots. */
  static final int DEFAULT_TABLE_SIZE = 65537;

  private static final long KEY_SEED = 0x6b6579L;

  private final int[] table;
  private final RandomGenerator random;

  MaglevLoadBalancer(List<Endpoint> endpoints, RandomGenerator random, int tableSize) {
    this.table = MaglevTable.build(endpoints, tableSize);
    this.random = random;
  }

  @Override
  public int choose(PickContext context) {
    if (table.length == 0) {
      return -1;
    }
    String key = context.hashKey();
    int slot = key == null ? random.nextInt(table.length) : Hashing.slot(Hashing.hash(key, KEY_SEED), table.length);
    for (int step = 0; step < table.length; step++) {
      int index = table[slot];
      if (context.isCandidate(index)) {
        return index;
      }
      slot = slot + 1 == table.length ? 0 : slot + 1;
    }
    return -1;
  }
}
