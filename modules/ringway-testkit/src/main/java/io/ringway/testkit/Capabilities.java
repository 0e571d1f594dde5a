package io.ringway.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need a kernel capability (io_uring, TUN, root). In CI ({@code CI=true}) a
 * missing capability fails the test loudly; elsewhere the test is skipped with the reason.
 */
public final class Capabilities {

  private Capabilities() {
  }

  /** True when running under CI, where no capability may be missing. */
  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Requires a capability.
   *
   * @param capability what the test needs, e.g. "io_uring"
   * @param present whether this machine has it
   * @param cause why it is missing (the native cause), shown in the failure or skip
   */
  public static void require(String capability, boolean present, String cause) {
    if (present) {
      return;
    }
    String message = capability + " is not available here: " + cause;
    if (inCi()) {
      Assertions.fail(message + " (CI=true: tests that need " + capability + " must run, not skip)");
    }
    Assumptions.assumeTrue(present, message);
  }

  /** Requires the process to run as root (uid 0). */
  public static void requireRoot() {
    String user = System.getProperty("user.name");
    require("root", "root".equals(user), "running as " + user);
  }
}
