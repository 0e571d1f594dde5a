package io.ringway.cluster;

import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** Cluster configs for members on loopback, each on its own free port, all listing each other. */
public final class TestMembers {

  private final List<Integer> ports;

  private TestMembers(List<Integer> ports) {
    this.ports = ports;
  }

  /** Room for {@code count} members. */
  public static TestMembers of(int count) {
    return new TestMembers(IntStream.range(0, count).mapToObj(i -> Ports.freeTcpPort()).toList());
  }

  /** The config of member {@code index}, in cluster {@code name} with {@code secret} (may be null). */
  public ClusteringConfig member(int index, String name, String secret) {
    return new ClusteringConfig(true, name, secret, ports.get(index), false, "127.0.0.1", Duration.ofSeconds(60),
        Duration.ofSeconds(3), 1, new ClusterDiscovery.TcpIp(ports.stream().map(port -> "127.0.0.1:" + port).toList()),
        List.of());
  }

  /** The future's result, waiting at most 20 s. */
  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
