package io.ringway.upstream.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.LoadBalancer;
import io.ringway.spi.upstream.LoadBalancerFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every policy, through its ServiceLoader name: shares follow weights, and only candidates are chosen. */
class LoadBalancerDistributionTest {

  private static final List<Endpoint> WEIGHTED = List.of(
      new Endpoint("10.0.0.1", 80, 1), new Endpoint("10.0.0.2", 80, 2),
      new Endpoint("10.0.0.3", 80, 5), new Endpoint("10.0.0.4", 80, 12));
  private static final int PICKS = 200_000;

  @ParameterizedTest
  @ValueSource(strings = {"round_robin", "least_request", "random", "maglev"})
  void sharesFollowWeights(String policy) {
    LoadBalancer balancer = LoadBalancerFactory.named(policy).create(WEIGHTED, new SplittableRandom(7));
    FixedPick pick = new FixedPick(WEIGHTED.size());
    int[] counts = new int[WEIGHTED.size()];
    for (int i = 0; i < PICKS; i++) {
      counts[balancer.choose(pick)]++;
    }
    for (int i = 0; i < counts.length; i++) {
      double expected = WEIGHTED.get(i).weight() / 20.0;
      // 2 % of the share absolute: far above sampling noise at 200k picks, far below a wrong policy
      assertThat(counts[i] / (double) PICKS).as("%s share of %s", policy, WEIGHTED.get(i)).isCloseTo(expected, within(0.02));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"round_robin", "least_request", "random", "maglev"})
  void hashedKeysFollowWeightsToo(String policy) {
    LoadBalancer balancer = LoadBalancerFactory.named(policy).create(WEIGHTED, new SplittableRandom(7));
    FixedPick pick = new FixedPick(WEIGHTED.size());
    int[] counts = new int[WEIGHTED.size()];
    for (int i = 0; i < PICKS; i++) {
      counts[balancer.choose(pick.key("192.168." + (i >> 8 & 255) + "." + (i & 255) + ":" + (40000 + i % 997)))]++;
    }
    for (int i = 0; i < counts.length; i++) {
      assertThat(counts[i] / (double) PICKS).isCloseTo(WEIGHTED.get(i).weight() / 20.0, within(0.02));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"round_robin", "least_request", "random", "maglev"})
  void choosesOnlyCandidatesAndNothingWhenThereAreNone(String policy) {
    LoadBalancer balancer = LoadBalancerFactory.named(policy).create(WEIGHTED, new SplittableRandom(7));
    FixedPick pick = new FixedPick(WEIGHTED.size());
    pick.candidate[3] = false;
    pick.candidate[1] = false;
    int[] counts = new int[WEIGHTED.size()];
    for (int i = 0; i < 6_000; i++) {
      counts[balancer.choose(pick.key(i % 2 == 0 ? null : "key-" + i))]++;
    }
    assertThat(counts[1]).isZero();
    assertThat(counts[3]).isZero();
    assertThat(counts[0] + counts[2]).isEqualTo(6_000);
    assertThat(counts[0]).isPositive();

    java.util.Arrays.fill(pick.candidate, false);
    assertThat(balancer.choose(pick.key(null))).isEqualTo(-1);
    assertThat(balancer.choose(pick.key("k"))).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"round_robin", "least_request", "random", "maglev"})
  void anEmptyClusterHasNothingToChoose(String policy) {
    LoadBalancer balancer = LoadBalancerFactory.named(policy).create(List.of(), new SplittableRandom(7));
    assertThat(balancer.choose(new FixedPick(0))).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"round_robin", "least_request", "random", "maglev"})
  void aSeededBalancerRepeatsItself(String policy) {
    LoadBalancer first = LoadBalancerFactory.named(policy).create(WEIGHTED, new SplittableRandom(99));
    LoadBalancer second = LoadBalancerFactory.named(policy).create(WEIGHTED, new SplittableRandom(99));
    FixedPick pick = new FixedPick(WEIGHTED.size());
    for (int i = 0; i < 1_000; i++) {
      assertThat(first.choose(pick)).isEqualTo(second.choose(pick));
    }
  }
}
