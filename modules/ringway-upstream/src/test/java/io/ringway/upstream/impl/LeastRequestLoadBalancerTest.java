package io.ringway.upstream.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.Endpoint;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastRequestLoadBalancerTest {

  @Test
  void prefersTheIdleEndpoint() {
    LeastRequestLoadBalancer balancer = new LeastRequestLoadBalancer(
        List.of(Endpoint.of("busy", 1), Endpoint.of("idle", 1)), new SplittableRandom(11));
    FixedPick pick = new FixedPick(2);
    pick.active[0] = 10;
    int idle = 0;
    for (int i = 0; i < 10_000; i++) {
      idle += balancer.choose(pick);
    }
    // the busy one only wins when every draw lands on it: (1/2)^4 with the redraws
    assertThat(idle).isGreaterThan(9_000);
  }

  @Test
  void comparesLoadPerUnitOfWeight() {
    LeastRequestLoadBalancer balancer = new LeastRequestLoadBalancer(
        List.of(new Endpoint("small", 1, 1), new Endpoint("big", 1, 4)), new SplittableRandom(11));
    FixedPick pick = new FixedPick(2);
    pick.active[0] = 2;
    pick.active[1] = 4;
    int big = 0;
    for (int i = 0; i < 10_000; i++) {
      big += balancer.choose(pick);
    }
    // 4 in flight on weight 4 is lighter than 2 on weight 1
    assertThat(big).isGreaterThan(9_000);
  }
}
