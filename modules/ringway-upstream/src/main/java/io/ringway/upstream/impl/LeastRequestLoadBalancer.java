package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.PickContext;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: draw two endpoints by weight, keep the one with fewer requests in flight per
 * unit of weight. Nearly as good as a full least-loaded scan, in O(log n), and it does not herd every
 * new request onto the one momentarily idle endpoint. Ties keep the first draw, so idle endpoints
 * share traffic by weight.
 */
public final class LeastRequestLoadBalancer implements LoadBalancer {

  /** Registered with {@link java.util.ServiceLoader} as {@code least_request}. */
  public static final class Factory implements LoadBalancerFactory {
    @Override
    public String name() {
      return "least_request";
    }

    @Override
    public LoadBalancer create(List<Endpoint> endpoints, RandomGenerator random) {
      return new LeastRequestLoadBalancer(endpoints, random);
    }
  }

  /** Redraws when the second choice repeats the first; a repeat would make it a single random choice. */
  private static final int SECOND_DRAWS = 3;

  private final WeightedSampler sampler;
  private final RandomGenerator random;

  LeastRequestLoadBalancer(List<Endpoint> endpoints, RandomGenerator random) {
    this.sampler = new WeightedSampler(endpoints);
    this.random = random;
  }

  @Override
  public int choose(PickContext context) {
    int first = sampler.sample(random, context);
    if (first < 0) {
      return -1;
    }
    int second = first;
    for (int draw = 0; draw < SECOND_DRAWS && second == first; draw++) {
      second = sampler.sample(random, context);
    }
    // active/weight compared without division: first.active * second.weight vs second.active * first.weight
    long firstLoad = (long) context.activeRequests(first) * sampler.weight(second);
    long secondLoad = (long) context.activeRequests(second) * sampler.weight(first);
    return secondLoad < firstLoad ? second : first;
  }
}
