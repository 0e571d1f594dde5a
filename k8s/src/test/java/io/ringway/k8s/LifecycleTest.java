package io.ringway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.ringway.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Stopping, rolling and evicting pods lets Ringway drain, and never takes all of them at once. */
class LifecycleTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theGracePeriodOutlastsThePreStopPauseAndTheDrain(Overlay overlay) {
    Rendered rendered = overlay.render();
    Duration drain = PodConfig.of(rendered).admin().drainTimeout();
    Long grace = rendered.podSpec().getTerminationGracePeriodSeconds();

    assertThat(grace).as("%s: terminationGracePeriodSeconds (kubelet's default 30 s is no more than the default drain)",
        overlay).isNotNull();
    // kubelet counts the preStop hook against the grace period, then sends SIGTERM; Ringway then drains
    assertThat(Duration.ofSeconds(grace)).as("%s: grace period, vs preStop %s s + admin.drainTimeout %s", overlay,
        preStopSeconds(rendered.container()), drain)
        .isGreaterThan(drain.plusSeconds(preStopSeconds(rendered.container())));
  }

  /**
   * The upgrade recipe (README) in Kubernetes terms: the pod stays in the Service's endpoints no longer
   * than the preStop pause, then SIGTERM drains it: keep-alive clients get {@code connection: close} or a
   * GOAWAY, idle connections close spread over {@code admin.drainCloseSpread}, all inside the drain timeout
   * and so inside the grace period, before kubelet's SIGKILL could cut one.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void idleConnectionsCloseSpreadWithinTheDrainBeforeKubeletKills(Overlay overlay) {
    Rendered rendered = overlay.render();
    Duration drain = PodConfig.of(rendered).admin().drainTimeout();
    Duration spread = PodConfig.of(rendered).admin().drainCloseSpread();
    long preStop = preStopSeconds(rendered.container());

    assertThat(preStop).as("%s: preStop pause for endpoints and kube-proxy to drop the pod", overlay).isPositive();
    assertThat(spread).as("%s: admin.drainCloseSpread", overlay).isPositive().isLessThan(drain);
    assertThat(Duration.ofSeconds(rendered.podSpec().getTerminationGracePeriodSeconds()))
        .as("%s: grace period vs preStop + close spread", overlay).isGreaterThan(spread.plusSeconds(preStop));
    assertThat(rendered.container().getReadinessProbe().getHttpGet().getPath())
        .as("%s: readiness turns 503 at drain start", overlay).isEqualTo("/ready");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void theDisruptionBudgetCoversThePodsAndStillLetsANodeDrain(Overlay overlay) {
    Rendered rendered = overlay.render();
    int replicas = replicas(rendered);

    List<PodDisruptionBudget> budgets = rendered.all(PodDisruptionBudget.class);
    assertThat(budgets).as("%s: PodDisruptionBudgets", overlay).hasSize(1);
    PodDisruptionBudget budget = budgets.getFirst();
    assertThat(budget.getSpec().getSelector().getMatchExpressions()).isNullOrEmpty();
    assertThat(rendered.selects(budget.getSpec().getSelector().getMatchLabels()))
        .as("%s: budget selector %s, vs pod labels %s", overlay, budget.getSpec().getSelector().getMatchLabels(),
            rendered.podLabels()).isTrue();
    IntOrString minAvailable = budget.getSpec().getMinAvailable();
    IntOrString maxUnavailable = budget.getSpec().getMaxUnavailable();
    assertThat(minAvailable == null ^ maxUnavailable == null).as("%s: exactly one of minAvailable, maxUnavailable", overlay)
        .isTrue();
    // a budget that allows no eviction makes every `kubectl drain` of the node hang
    if (minAvailable != null) {
      assertThat(minAvailable.getIntVal()).as("%s: minAvailable, vs %d replicas", overlay, replicas).isNotNull()
          .isLessThan(replicas);
    } else {
      assertThat(maxUnavailable.getIntVal()).as("%s: maxUnavailable", overlay).isNotNull().isGreaterThanOrEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Overlay.class, names = {"STANDALONE", "CLUSTERED"})
  void aRolloutNeverLowersTheNumberOfReadyProxies(Overlay overlay) {
    Rendered rendered = overlay.render();
    DeploymentStrategy strategy = ((Deployment) rendered.workload()).getSpec().getStrategy();

    assertThat(replicas(rendered)).as("%s: replicas", overlay).isGreaterThanOrEqualTo(2);
    assertThat(strategy.getType()).isEqualTo("RollingUpdate");
    assertThat(strategy.getRollingUpdate().getMaxUnavailable()).as("%s: maxUnavailable", overlay)
        .isEqualTo(new IntOrString(0));
    assertThat(strategy.getRollingUpdate().getMaxSurge().getIntVal()).as("%s: maxSurge", overlay)
        .isNotNull().isGreaterThanOrEqualTo(1);
  }

  @Test
  void oneTunnelBridgeRunsAtATime() {
    Rendered rendered = Overlay.TUN.render();

    // two bridges with one key and one tunnel address would make peers' sessions flap between them
    assertThat(replicas(rendered)).isEqualTo(1);
    assertThat(((Deployment) rendered.workload()).getSpec().getStrategy().getType()).isEqualTo("Recreate");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Overlay.class)
  void oneEventLoopPerCoreMeansTheCoresAreLimited(Overlay overlay) {
    Rendered rendered = overlay.render();
    Map<String, String> env = PodConfig.environment(rendered);
    JsonObject document = ConfigLoader.parseDocument(PodConfig.configText(rendered), new ArrayList<>());
    // the loader resolves 0 to this machine's cores, so read the raw value: the file's, or an override's
    int eventLoops = env.entrySet().stream()
        .filter(e -> e.getKey().startsWith("RINGWAY_") && e.getKey().substring(8).replace("_", "").equalsIgnoreCase("eventloops"))
        .map(e -> Integer.parseInt(e.getValue().trim())).findFirst()
        .orElse(document.getInteger("eventLoops", 0));

    if (eventLoops == 0) {
      // without a CPU limit the JVM sees every core of the node, and Ringway starts a loop on each
      Map<String, Quantity> limits = rendered.container().getResources().getLimits();
      assertThat(limits).as("%s: resources.limits with eventLoops: 0", overlay).containsKey("cpu");
    }
    assertThat(rendered.container().getResources().getRequests()).as("%s: resources.requests", overlay)
        .containsKeys("cpu", "memory");
    assertThat(rendered.container().getResources().getLimits()).as("%s: resources.limits", overlay).containsKey("memory");
  }

  private static int replicas(Rendered rendered) {
    Integer replicas = ((Deployment) rendered.workload()).getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  /** Seconds the preStop hook holds the pod before SIGTERM: a sleep action, or an exec of {@code sleep N}. */
  private static long preStopSeconds(Container container) {
    if (container.getLifecycle() == null || container.getLifecycle().getPreStop() == null) {
      return 0;
    }
    LifecycleHandler preStop = container.getLifecycle().getPreStop();
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds();
    }
    if (preStop.getExec() != null) {
      List<String> command = preStop.getExec().getCommand();
      int at = command.indexOf("sleep");
      if (at >= 0 && at + 1 < command.size()) {
        return Long.parseLong(command.get(at + 1));
      }
    }
    throw new AssertionError("a preStop hook whose length the test cannot tell: " + preStop);
  }
}
