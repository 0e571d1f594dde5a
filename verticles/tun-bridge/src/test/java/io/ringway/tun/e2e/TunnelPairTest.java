package io.ringway.tun.e2e;

import io.ringway.tun.TunFixture;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every end-to-end class runs on: two network namespaces with a veth underlay, made before each test, and the
 * bridges' child JVMs and the namespaces removed after it, whatever happened.
 */
abstract class TunnelPairTest {

  static final Duration SHORT = Duration.ofSeconds(10);

  @TempDir
  Path dir;
  TunnelPair pair;

  @BeforeEach
  void namespaces() {
    TunFixture.requireTun();
    pair = new TunnelPair(dir).underlay();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (pair != null) {
      pair.close();
    }
  }
}
