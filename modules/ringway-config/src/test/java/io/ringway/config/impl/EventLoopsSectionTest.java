package io.ringway.config.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.config.EventLoopAffinity;
import io.ringway.spi.config.EventLoopAffinity.Mode;
import io.ringway.spi.config.RingwayConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code eventLoops}, as a count or as {@code {count, affinity}}, on a machine of 4 cores where CPUs 0-3 are allowed. */
class EventLoopsSectionTest {

  private final ConfigValidator validator = new ConfigValidator(new PluginCatalog(List.of(), List.of()), 4, "node-a",
      List.of(0, 1, 2, 3));

  @Test
  void aCountAloneLeavesTheLoopsUnpinned() {
    RingwayConfig config = valid("{\"eventLoops\": 3}", Map.of());

    assertThat(config.eventLoops()).isEqualTo(3);
    assertThat(config.affinity()).isEqualTo(EventLoopAffinity.NONE);
    assertThat(valid("{}", Map.of()).eventLoops()).isEqualTo(4);
  }

  @Test
  void readsAutoAListAndTheKernelsListSyntax() {
    assertThat(valid("{\"eventLoops\": {\"count\": 2, \"affinity\": \"auto\"}}", Map.of()).affinity())
        .isEqualTo(new EventLoopAffinity(Mode.AUTO, List.of()));
    assertThat(valid("{\"eventLoops\": {\"count\": 2, \"affinity\": [3, 1]}}", Map.of()).affinity())
        .isEqualTo(new EventLoopAffinity(Mode.LIST, List.of(3, 1)));
    assertThat(valid("{\"eventLoops\": {\"affinity\": \"0-3\"}}", Map.of()))
        .satisfies(config -> assertThat(config.eventLoops()).isEqualTo(4))
        .satisfies(config -> assertThat(config.affinity().cpus()).containsExactly(0, 1, 2, 3));
    assertThat(valid("{\"eventLoops\": {\"count\": 1, \"affinity\": \"none\"}}", Map.of()).affinity())
        .isEqualTo(EventLoopAffinity.NONE);
  }

  @Test
  void overridesReachTheObjectFormEvenWhenTheFileGivesNone() {
    RingwayConfig config = valid("{}", Map.of("RINGWAY_EVENTLOOPS__COUNT", "2", "RINGWAY_EVENTLOOPS__AFFINITY", "2-3"));

    assertThat(config.eventLoops()).isEqualTo(2);
    assertThat(config.affinity()).isEqualTo(new EventLoopAffinity(Mode.LIST, List.of(2, 3)));
    assertThat(valid("{}", Map.of("RINGWAY_EVENT_LOOPS", "2")).eventLoops()).isEqualTo(2);
  }

  @Test
  void refusesWhatCouldNotBePinnedSayingWhereAndWhy() {
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"affinity\": [0, 1, 2]}}")).containsExactly(
        "eventLoops.affinity: lists 3 CPUs for 2 event loops; give one CPU per loop, or affinity: auto");
    assertThat(errors("{\"eventLoops\": {\"affinity\": [0]}}")).containsExactly(
        "eventLoops.affinity: lists 1 CPU for 4 event loops (count 0 means one per core: 4 here); give one CPU per "
            + "loop, or affinity: auto");
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"affinity\": [0, 7]}}")).containsExactly(
        "eventLoops.affinity[1]: CPU 7 is not one this process may run on (allowed: 0-3)");
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"affinity\": [1, 1]}}")).containsExactly(
        "eventLoops.affinity[1]: CPU 1 is listed twice: two loops on one core compete for it; use fewer loops");
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"affinity\": [0, \"x\"]}}")).containsExactly(
        "eventLoops.affinity[1]: expected a CPU number from 0 to 1023, got \"x\"");
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"affinity\": \"pinned\"}}")).containsExactly(
        "eventLoops.affinity: expected none, auto, a list of CPU numbers such as [0, 1] or a CPU list such as \"0-3\", "
            + "got \"pinned\"");
    assertThat(errors("{\"eventLoops\": {\"count\": 2, \"cpus\": [0, 1]}}")).containsExactly(
        "eventLoops.cpus: unknown key (known: count, affinity)");
    assertThat(errors("{\"eventLoops\": \"two\"}")).containsExactly(
        "eventLoops: expected an integer from 0 to 1024, got \"two\"");
  }

  @Test
  void aChangedAffinityIsAppliedOnReloadWhileTheCountWaitsForARestart() {
    RingwayConfig running = valid("{\"eventLoops\": {\"count\": 2, \"affinity\": \"auto\"}}", Map.of());
    RingwayConfig edited = valid("{\"eventLoops\": {\"count\": 3, \"affinity\": [2, 3, 0]}}", Map.of());

    ReloadPlan plan = ReloadPlan.of(running, edited);

    assertThat(plan.deferred()).containsExactly("eventLoops");
    assertThat(plan.changed()).containsExactly("affinity");
    assertThat(plan.next().eventLoops()).isEqualTo(2);
    assertThat(plan.next().affinity()).isEqualTo(edited.affinity());
  }

  private RingwayConfig valid(String json, Map<String, String> env) {
    ConfigResult result = validator.validate(new JsonObject(json), ConfigOverlay.from(env, Map.of()));
    assertThat(result.errors()).isEmpty();
    return result.config();
  }

  private List<String> errors(String json) {
    return validator.validate(new JsonObject(json), ConfigOverlay.NONE).errors().stream().map(ConfigError::toString).toList();
  }
}
