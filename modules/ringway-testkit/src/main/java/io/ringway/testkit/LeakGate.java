package io.ringway.testkit;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty's leak detector found a buffer garbage-collected unreleased: a leak that is only
 * logged goes unseen (two were in every CI log for weeks). Active where a module runs its tests with the detector at
 * the paranoid level (its surefire {@code argLine}), registered there by JUnit's extension autodetection (this jar's
 * service file, {@code junit.jupiter.extensions.autodetection.enabled} in the module's surefire configuration).
 * What leaked is collected after the class's own {@code @AfterAll} closed its fixtures, so the class that leaked is
 * the one that fails, unless the buffer's owner outlived its class.
 */
public final class LeakGate implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakGate.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID) {
      // The gate after the class before collected what that class left.
      context.getStore(NAMESPACE).put(ByteBufLeaks.class, ByteBufLeaks.watchFromNow());
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    ByteBufLeaks leaks = context.getStore(NAMESPACE).remove(ByteBufLeaks.class, ByteBufLeaks.class);
    if (leaks == null) {
      return;
    }
    try (leaks) {
      int found = leaks.afterGc();
      if (found > 0) {
        throw new AssertionError(found + " buffer(s) garbage-collected unreleased during or after "
            + context.getDisplayName() + " (Netty's paranoid leak detector); the latest:\n"
            + String.join("\n", leaks.reports()));
      }
    }
  }
}
