package io.ringway.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.Capabilities;
import io.ringway.tun.impl.TunChannel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Unique interface names and subnets for TUN tests, the capability gate, and {@code ip} cleanup. */
public final class TunFixture {

  /** A name no other test run uses, e.g. {@code rwt3fa2c}. */
  public final String name = "rwt" + Integer.toHexString(0x10000 + ThreadLocalRandom.current().nextInt(0xeffff));
  /** Third octet of this test's 10.99.x.0/24. */
  public final int subnet = ThreadLocalRandom.current().nextInt(1, 255);

  /** Skips, or fails under CI, unless running as root with /dev/net/tun. */
  public static void requireTun() {
    Capabilities.requireRoot();
    Capabilities.require("TUN", Files.exists(Path.of(TunDevice.DEV_NET_TUN)),
        TunDevice.DEV_NET_TUN + " does not exist");
  }

  public String host(int last) {
    return "10.99." + subnet + "." + last;
  }

  /** Deletes the interface if it is still there; safe to call when it never existed. */
  public void deleteLink() {
    run("ip", "link", "del", name);
  }

  public boolean linkExists() {
    return Files.exists(Path.of("/sys/class/net", name));
  }

  /**
   * Shuts {@code channel} down (when a test opened one) and checks its interface went with its fd; then,
   * whatever happened, deletes the link and closes {@code vertx} (when started).
   */
  public void tearDown(TunChannel channel, Vertx vertx) throws Exception {
    try {
      if (channel != null) {
        channel.shutdown().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(linkExists()).as("shutdown closes the fd, so the interface goes").isFalse();
      }
    } finally {
      deleteLink();
      if (vertx != null) {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Output (stdout+stderr) of a command, waiting at most 10 s. */
  public static String run(String... command) {
    try {
      Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      process.waitFor(10, TimeUnit.SECONDS);
      return new String(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }
}
