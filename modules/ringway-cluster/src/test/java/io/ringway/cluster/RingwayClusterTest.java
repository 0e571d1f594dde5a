package io.ringway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Joining: members of one name and secret form one cluster; another secret keeps a member out. */
class RingwayClusterTest {

  private final List<RingwayCluster> joined = new ArrayList<>();

  @AfterEach
  void leave() {
    joined.forEach(RingwayCluster::leave);
  }

  @Test
  void onlyMembersWithTheSameSecretMerge() {
    TestMembers members = TestMembers.of(3);
    RingwayCluster first = join(members.member(0, "fleet", "right"));
    RingwayCluster second = join(members.member(1, "fleet", "right"));
    RingwayCluster stranger = join(members.member(2, "fleet", "wrong"));

    assertThat(second.describe()).contains("joined \"fleet\"", "(2 member(s))");
    assertThat(first.describe()).contains("(2 member(s))");
    assertThat(stranger.describe()).contains("(1 member(s))");
  }

  @Test
  void withoutASecretTheDescriptionWarnsThatAnyoneOfTheNameMayJoin() {
    RingwayCluster alone = join(TestMembers.of(1).member(0, "open", null));

    assertThat(alone.describe()).contains("no cluster.secret set, any member named \"open\" may join");
  }

  private RingwayCluster join(io.ringway.spi.config.ClusteringConfig config) {
    RingwayCluster cluster = RingwayCluster.join(config);
    joined.add(cluster);
    return cluster;
  }
}
