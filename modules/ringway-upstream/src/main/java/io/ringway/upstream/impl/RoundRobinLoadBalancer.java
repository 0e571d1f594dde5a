package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.PickContext;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * nginx's smooth weighted round robin: weights 5,1,1 give a,a,b,a,c,a,a rather than a burst of five
 * a's, and an endpoint that is not a candidate simply sits the round out.
 */
public final class RoundRobinLoadBalancer implements LoadBalancer {

  /** Registered with {@link java.util.ServiceLoader} as {@code round_robin}. */
  public static final class Factory implements LoadBalancerFactory {
    @Override
    public String name() {
      return "round_robin";
    }

    @Override
    public LoadBalancer create(List<Endpoint> endpoints, RandomGenerator random) {
      return new RoundRobinLoadBalancer(endpoints, random);
    }
  }

  private final int[] weights;
  private final long[] current;

  RoundRobinLoadBalancer(List<Endpoint> endpoints, RandomGenerator random) {
    weights = new int[endpoints.size()];
    current = new long[endpoints.size()];
    long total = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = endpoints.get(i).weight();
      total += weights[i];
    }
    // Every loop builds its own balancer at the same moment: a random phase keeps them from all
    // sending their first connection to the same endpoint. Any start converges to the same shares.
    for (int i = 0; i < current.length && total > 0; i++) {
      current[i] = random.nextLong(total);
    }
  }

  @Override
  public int choose(PickContext context) {
    int best = -1;
    long total = 0;
    for (int i = 0; i < weights.length; i++) {
      if (!context.isCandidate(i)) {
        continue;
      }
      current[i] += weights[i];
      total += weights[i];
      if (best < 0 || current[i] > current[best]) {
        best = i;
      }
    }
    if (best >= 0) {
      current[best] -= total;
    }
    return best;
  }
}
