package io.ringway.k8s;

import io.ringway.testkit.Capabilities;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with the real {@code kubectl kustomize}, exactly as a user would apply it. Without
 * kubectl the calling test is skipped, or fails under {@code CI=true}.
 */
final class Kustomize {

  private static final long TIMEOUT_SECONDS = 60;

  private Kustomize() {
  }

  /** The {@code k8s/} directory: kustomize roots are below it, {@code conf/} beside it. */
  static Path k8sDir() {
    String configured = System.getProperty("k8s.dir");
    return (configured != null ? Path.of(configured) : Path.of("")).toAbsolutePath().normalize();
  }

  /** {@code conf/ringway.yaml}, the file the default config and the k8s copy come from. */
  static Path confFile() {
    return k8sDir().resolveSibling("conf").resolve("ringway.yaml");
  }

  /** The YAML stream {@code kubectl kustomize dir} prints; fails the test with kubectl's error when it refuses. */
  static String render(Path dir) {
    Path kubectl = kubectl();
    try {
      Path stderr = Files.createTempFile("kustomize", ".err");
      try {
        Process process = new ProcessBuilder(List.of(kubectl.toString(), "kustomize", dir.toString()))
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("kubectl kustomize " + dir + " took more than " + TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
          throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n"
              + Files.readString(stderr));
        }
        return new String(out, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + kubectl + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while kubectl ran", e);
    }
  }

  /** {@code $KUBECTL}, else {@code kubectl} on the PATH. */
  private static Path kubectl() {
    String given = System.getenv("KUBECTL");
    if (given != null && !given.isBlank()) {
      Capabilities.require("kubectl", Files.isExecutable(Path.of(given)), "KUBECTL=" + given + " is not an executable");
      return Path.of(given);
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    Capabilities.require("kubectl", false, "no kubectl on PATH (" + path + "); install kubectl >= 1.27, whose "
        + "built-in kustomize v5 renders k8s/overlays/*, or point KUBECTL at one");
    throw new IllegalStateException("unreachable: require() skips or fails");
  }
}
