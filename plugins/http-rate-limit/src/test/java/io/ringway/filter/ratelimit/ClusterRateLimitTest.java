package io.ringway.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ringway.cluster.RingwayCluster;
import io.ringway.spi.ConfigError;
import io.ringway.spi.SharedMaps;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.testkit.Ports;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code scope: cluster} on two real Hazelcast members (two clustered Vert.x instances on loopback, two event loops
 * each), and on a standalone node; the window clock is the test's, so no run straddles a window by chance.
 */
class ClusterRateLimitTest {

  private static final String CONFIG = "{\"requestsPerSecond\": 100, \"key\": \"header:x-api-key\", \"scope\": \"cluster\"}";

  private final AtomicLong wallMillis = new AtomicLong(1_000_000_000_010L);
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<RingwayCluster> members = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (Vertx vertx : vertxes) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    members.forEach(RingwayCluster::leave);
  }

  @Test
  void twoNodesShareOneBudgetPerWindowWithinTheDocumentedBound() throws Exception {
    List<Integer> ports = List.of(Ports.freeTcpPort(), Ports.freeTcpPort());
    List<Loop> loops = new ArrayList<>();
    for (int node = 0; node < 2; node++) {
      RingwayCluster member = RingwayCluster.join(new ClusteringConfig(true, "rl-test", null, ports.get(node), false,
          "127.0.0.1", Duration.ofSeconds(60), Duration.ofSeconds(3), node + 1,
          new ClusterDiscovery.TcpIp(ports.stream().map(port -> "127.0.0.1:" + port).toList()), List.of()));
      members.add(member);
      Vertx vertx = Vertx.builder().withClusterManager(member.clusterManager()).buildClustered()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertxes.add(vertx);
      loops.add(new Loop(vertx, 2));
      loops.add(new Loop(vertx, 2));
    }

    // 100 requests of one key at once on each of the four loops: 400 against a budget of 100.
    List<Integer> firstWindow = fire(loops, 100, "k1");
    long allowed = firstWindow.stream().mapToLong(Integer::longValue).sum();
    long leaseSize = 100 / (10 * 2);
    assertThat(allowed).as("at most the budget; at least it minus (leaseSize - 1) per loop").isBetween(100 - 4 * (leaseSize - 1), 100L);
    long limited = loops.stream().mapToLong(loop -> loop.stats().getLong("limited")).sum();
    assertThat(limited).isEqualTo(400 - allowed);
    assertThat(loops.stream().mapToLong(loop -> loop.stats().getLong("clusterErrors")).sum()).isZero();

    // Another key has its own budget; the next window a fresh one.
    assertThat(sum(fire(loops, 10, "k2"))).isEqualTo(40);
    wallMillis.addAndGet(1000);
    assertThat(sum(fire(loops, 100, "k1"))).isBetween(100 - 4 * (leaseSize - 1), 100L);

    // One window more, in turn: 60 on a loop of node A (12 whole leases, nothing left unspent), then node B's loop
    // gets exactly what A left of the budget.
    wallMillis.addAndGet(1000);
    assertThat(loops.get(0).call(60, "k1")).filteredOn(FilterVerdict.CONTINUE::equals).hasSize(60);
    assertThat(loops.get(3).call(100, "k1")).as("the other node sees what the first spent")
        .filteredOn(FilterVerdict.CONTINUE::equals).hasSize(40);

    // The counters expire in the cluster: Hazelcast has them with the map's TTL.
    HazelcastInstance hazelcast = Hazelcast.getAllHazelcastInstances().iterator().next();
    var entries = hazelcast.getMap(SharedMaps.RATE_LIMITS).keySet();
    assertThat(entries).isNotEmpty();
    Object someKey = entries.iterator().next();
    long expires = hazelcast.getMap(SharedMaps.RATE_LIMITS).getEntryView(someKey).getExpirationTime();
    assertThat(expires).isBetween(System.currentTimeMillis(),
        System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(SharedMaps.RATE_LIMIT_TTL_SECONDS + 5));
  }

  @Test
  void standaloneTheNodeIsTheScopeAndTheBudgetIsExact() throws Exception {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    List<Loop> loops = List.of(new Loop(vertx, 2), new Loop(vertx, 2));

    assertThat(sum(fire(loops, 100, "k"))).as("no loop holds tokens back: each had more demand than its leases")
        .isEqualTo(100);
    FilterVerdict refused = loops.get(0).call(1, "k").get(0);
    assertThat(refused).isInstanceOf(FilterVerdict.Reply.class);
    assertThat(((FilterVerdict.Reply) refused).headers()).containsEntry("retry-after", "1");
    assertThat(loops.get(0).stats().fieldNames())
        .contains("allowed", "limited", "activeKeys", "evicted", "leases", "leasedTokens", "clusterErrors");
  }

  @Test
  void configSaysWhichKeysBelongToWhichScope() {
    assertThat(errors("{\"requestsPerSecond\": 5, \"scope\": \"global\", \"windowSeconds\": 0}")).containsExactly(
        "p.windowSeconds: expected an integer from 1 to 60, got 0",
        "p.scope: expected local or cluster, got \"global\"",
        "p.windowSeconds: applies to scope: cluster only");
    assertThat(errors("{\"requestsPerSecond\": 5, \"scope\": \"cluster\", \"burst\": 9, \"leaseSize\": 2}"))
        .containsExactly("p.burst: applies to scope: local only (scope: cluster counts fixed windows:"
            + " a window's whole budget may be spent at once)");
    assertThat(RateLimitConfig.of(new JsonObject("{\"requestsPerSecond\": 0.5, \"scope\": \"cluster\", \"windowSeconds\": 60}"))
        .windowBudget()).isEqualTo(30);
  }

  private static List<String> errors(String json) {
    return RateLimitConfig.validate(new JsonObject(json), "p").stream().map(ConfigError::toString).toList();
  }

  private static long sum(List<Integer> shares) {
    return shares.stream().mapToLong(Integer::longValue).sum();
  }

  /** {@code count} requests with key {@code key} on every loop at once; how many each loop let through. */
  private static List<Integer> fire(List<Loop> loops, int count, String key) throws Exception {
    List<CompletableFuture<List<FilterVerdict>>> calls = loops.stream().map(loop -> loop.callAsync(count, key)).toList();
    List<Integer> shares = new ArrayList<>();
    for (CompletableFuture<List<FilterVerdict>> call : calls) {
      shares.add((int) call.get(20, TimeUnit.SECONDS).stream().filter(FilterVerdict.CONTINUE::equals).count());
    }
    return shares;
  }

  /** One filter instance on its own event-loop context, as the router gives each loop one. */
  private final class Loop {
    private final Context context;
    private final ClusterRateLimitFilter filter;

    Loop(Vertx vertx, int instances) {
      this.context = vertx.getOrCreateContext();
      this.filter = new ClusterRateLimitFilter(RateLimitConfig.of(new JsonObject(CONFIG)), "api", instances, vertx,
          wallMillis::get, System::nanoTime);
    }

    CompletableFuture<List<FilterVerdict>> callAsync(int count, String key) {
      CompletableFuture<List<FilterVerdict>> done = new CompletableFuture<>();
      context.runOnContext(nothing -> {
        List<Future<FilterVerdict>> verdicts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          verdicts.add(filter.onRequest(RateLimitFilterUnitTest.request("10.0.0.1", key)));
        }
        Future.all(verdicts).onComplete(all -> {
          if (all.failed()) {
            done.completeExceptionally(all.cause());
          } else {
            done.complete(verdicts.stream().map(Future::result).toList());
          }
        });
      });
      return done;
    }

    List<FilterVerdict> call(int count, String key) throws Exception {
      return callAsync(count, key).get(20, TimeUnit.SECONDS);
    }

    JsonObject stats() {
      CompletableFuture<JsonObject> stats = new CompletableFuture<>();
      context.runOnContext(nothing -> stats.complete(filter.stats()));
      return stats.orTimeout(5, TimeUnit.SECONDS).join();
    }
  }
}
