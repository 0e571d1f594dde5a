package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import io.ringway.spi.upstream.PickContext;
import java.util.List;
import java.util.random.RandomGenerator;

/** Weighted random: no shared cursor, so many loops and nodes spread load without coordinating. */
public final class RandomLoadBalancer implements LoadBalancer {

  /** Registered with {@link java.util.ServiceLoader} as {@code random}. */
  public static final class Factory implements LoadBalancerFactory {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public LoadBalancer create(List<Endpoint> endpoints, RandomGenerator random) {
      return new RandomLoadBalancer(endpoints, random);
    }
  }

  private final WeightedSampler sampler;
  private final RandomGenerator random;

  RandomLoadBalancer(List<Endpoint> endpoints, RandomGenerator random) {
    this.sampler = new WeightedSampler(endpoints);
    this.random = random;
  }

  @Override
  public int choose(PickContext context) {
    return sampler.sample(random, context);
  }
}
