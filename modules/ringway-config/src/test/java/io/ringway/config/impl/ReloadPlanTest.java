package io.ringway.config.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.spi.config.EventLoopAffinity;
import io.ringway.spi.config.HttpRouterConfig;
import io.ringway.spi.config.TcpProxyConfig;
import io.ringway.spi.config.TunBridgeConfig;
import io.ringway.spi.config.WarmupConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReloadPlanTest {

  private static final RingwayConfig RUNNING = new RingwayConfig("auto", 4, Map.of(), List.of("admin"),
      new AdminConfig("127.0.0.1", 9901, null), new DemoUpstreamConfig("127.0.0.1", 8081, 9001, "n"));

  @Test
  void appliesLiveKeysAndDefersTheOnesFixedAtStartup() {
    RingwayConfig candidate = new RingwayConfig("nio", 8, Map.of("nio", new JsonObject()), List.of("admin"),
        new AdminConfig("127.0.0.1", 9902, null), RUNNING.demoUpstream());

    ReloadPlan plan = ReloadPlan.of(RUNNING, candidate);

    assertThat(plan.changed()).containsExactly("admin");
    assertThat(plan.deferred()).containsExactly("transport", "eventLoops", "transportOptions");
    assertThat(plan.next().transport()).isEqualTo("auto");
    assertThat(plan.next().eventLoops()).isEqualTo(4);
    assertThat(plan.next().admin().port()).isEqualTo(9902);
  }

  @Test
  void changesNothingWhenOnlyRestartKeysDiffer() {
    RingwayConfig candidate = new RingwayConfig("epoll", 4, Map.of(), RUNNING.verticles(), RUNNING.admin(), RUNNING.demoUpstream());

    ReloadPlan plan = ReloadPlan.of(RUNNING, candidate);

    assertThat(plan.changesAnything()).isFalse();
    assertThat(plan.deferred()).containsExactly("transport");
    assertThat(plan.next()).isEqualTo(RUNNING);
  }

  @Test
  void aChangedWarmupWaitsForTheNextStartItIsReadAt() {
    RingwayConfig candidate = new RingwayConfig("auto", 4, Map.of(), RUNNING.verticles(), RUNNING.admin(),
        RUNNING.demoUpstream(), List.of(), TcpProxyConfig.NONE, HttpRouterConfig.NONE, TunBridgeConfig.DISABLED,
        ClusteringConfig.DISABLED, EventLoopAffinity.NONE, new WarmupConfig(true, Duration.ofSeconds(10)));

    ReloadPlan plan = ReloadPlan.of(RUNNING, candidate);

    assertThat(plan.changesAnything()).isFalse();
    assertThat(plan.deferred()).containsExactly("warmup");
    assertThat(plan.next().warmup()).isEqualTo(WarmupConfig.DISABLED);
  }
}
