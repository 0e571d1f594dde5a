package io.ringway.upstream.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.Endpoint;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoundRobinLoadBalancerTest {

  @Test
  void everyCycleOfTotalWeightPicksIsExactAndInterleaved() {
    List<Endpoint> endpoints = List.of(new Endpoint("a", 1, 5), new Endpoint("b", 1, 1), new Endpoint("c", 1, 1));
    RoundRobinLoadBalancer balancer = new RoundRobinLoadBalancer(endpoints, new SplittableRandom(3));
    FixedPick pick = new FixedPick(3);
    for (int warmup = 0; warmup < 100; warmup++) {
      balancer.choose(pick);
    }
    for (int cycle = 0; cycle < 50; cycle++) {
      int[] counts = new int[3];
      int longestRun = 0;
      int run = 0;
      int previous = -1;
      for (int i = 0; i < 7; i++) {
        int chosen = balancer.choose(pick);
        counts[chosen]++;
        run = chosen == previous ? run + 1 : 1;
        longestRun = Math.max(longestRun, run);
        previous = chosen;
      }
      assertThat(counts).containsExactly(5, 1, 1);
      // smooth: the heavy endpoint's five picks are spread, never five in a row as plain WRR would do
      assertThat(longestRun).isLessThanOrEqualTo(4);
    }
  }

  @Test
  void loopsStartAtDifferentPlaces() {
    List<Endpoint> endpoints = List.of(Endpoint.of("a", 1), Endpoint.of("b", 1), Endpoint.of("c", 1), Endpoint.of("d", 1));
    java.util.Set<Integer> firstPicks = new java.util.HashSet<>();
    for (int seed = 0; seed < 32; seed++) {
      firstPicks.add(new RoundRobinLoadBalancer(endpoints, new SplittableRandom(seed)).choose(new FixedPick(4)));
    }
    assertThat(firstPicks).hasSizeGreaterThan(1);
  }
}
