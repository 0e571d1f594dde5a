package io.ringway.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The gate fails a class that leaked a buffer, and only at the paranoid level, through JUnit's autodetection. */
class LeakGateTest {

  /** Run only by the launcher below (surefire skips nested classes here: it runs top-level test classes). */
  static class Leaking {
    @Test
    void leaksOneBuffer() {
      ByteBuf leaked = Unpooled.directBuffer(8).writeLong(42);
      assertThat(leaked.readableBytes()).isEqualTo(8);
    }
  }

  static class Releasing {
    @Test
    void releasesItsBuffer() {
      Unpooled.directBuffer(8).writeLong(42).release();
    }
  }

  @Test
  void aClassThatLeakedFailsAtTheParanoidLevel() {
    List<Throwable> failures = run(Leaking.class, ResourceLeakDetector.Level.PARANOID);
    assertThat(failures).singleElement().satisfies(failure -> assertThat(failure)
        .isInstanceOf(AssertionError.class).hasMessageContaining("1 buffer(s) garbage-collected unreleased")
        .hasMessageContaining("Leaking").hasMessageContaining("leaksOneBuffer"));
  }

  @Test
  void aClassThatReleasedPasses() {
    assertThat(run(Releasing.class, ResourceLeakDetector.Level.PARANOID)).isEmpty();
  }

  /** Disabled rather than simple: a buffer the simple level sampled would be reported during a later test. */
  @Test
  void belowTheParanoidLevelTheGateDoesNothing() {
    assertThat(run(Leaking.class, ResourceLeakDetector.Level.DISABLED)).isEmpty();
  }

  /** The failures of running {@code testClass} with the gate autodetected and the detector at {@code level}. */
  private static List<Throwable> run(Class<?> testClass, ResourceLeakDetector.Level level) {
    ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(level);
    // The leak on purpose stays out of the build's log, where a LEAK line means a real one: filtered, not turned off,
    // since the detector reports (and calls its listener) only while its logger's error level is on.
    Logger detectorLog = Logger.getLogger(ResourceLeakDetector.class.getName());
    Filter filterBefore = detectorLog.getFilter();
    detectorLog.setFilter(record -> false);
    List<Throwable> failures = new ArrayList<>();
    try {
      LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
          .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true").build(),
          new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
              result.getThrowable().ifPresent(failures::add);
            }
          });
    } finally {
      detectorLog.setFilter(filterBefore);
      ResourceLeakDetector.setLevel(before);
    }
    return failures;
  }
}
