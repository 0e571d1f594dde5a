package io.ringway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.upstream.CircuitBreakerConfig;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthTransition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The queue of requests waiting for room under a cluster's limits, driven by hand: the loop's tasks run when told. */
class PendingRequestsTest {

  private static final Endpoint A = Endpoint.of("10.0.0.1", 80);

  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final Executor loop = tasks::add;
  /** What the callbacks of queued requests were given, in the order they ran. */
  private final List<String> turns = new ArrayList<>();
  private final List<EndpointLease> leases = new ArrayList<>();

  private UpstreamCluster cluster(int maxConnections, int maxPendingConnects, int maxPendingRequests, int loops) {
    ClusterConfig config = ClusterConfig.of("api", List.of(A))
        .withLimits(new CircuitBreakerConfig(maxConnections, maxPendingConnects, maxPendingRequests));
    return UpstreamCluster.builder(config).eventLoops(loops).loop(loop).build();
  }

  private void runLoop() {
    for (Runnable task; (task = tasks.poll()) != null; ) {
      task.run();
    }
  }

  private Admission request(UpstreamCluster cluster, String name) {
    return cluster.pickOrWait(null, List.of(), result -> {
      turns.add(name + ":" + (result instanceof EndpointLease lease ? "lease" : result));
      if (result instanceof EndpointLease lease) {
        leases.add(lease);
      }
    });
  }

  private static EndpointLease connected(Admission admission) {
    assertThat(admission).isInstanceOf(EndpointLease.class);
    EndpointLease lease = (EndpointLease) admission;
    lease.connected();
    return lease;
  }

  @Test
  void requestsOverTheLimitWaitAndGetLeasesInArrivalOrder() {
    UpstreamCluster cluster = cluster(1, 1, 10, 1);
    EndpointLease first = connected(request(cluster, "first"));

    assertThat(request(cluster, "b")).isInstanceOf(PendingRequest.class);
    assertThat(request(cluster, "c")).isInstanceOf(PendingRequest.class);
    assertThat(cluster.stats().pendingRequests()).isEqualTo(2);

    first.release();
    assertThat(turns).as("the turn runs as a loop task, after the code that freed the room").isEmpty();
    runLoop();
    assertThat(turns).containsExactly("b:lease");
    leases.getFirst().connected();
    leases.getFirst().release();
    runLoop();
    assertThat(turns).containsExactly("b:lease", "c:lease");
    ClusterStats stats = cluster.stats();
    assertThat(stats.pendingRequests()).isZero();
    assertThat(stats.queuedRequests()).isEqualTo(2);
    assertThat(stats.activeConnections()).isEqualTo(1);
  }

  @Test
  void aNewRequestQueuesBehindWaitersEvenWhenTheirRoomIsFreeButNotYetTaken() {
    UpstreamCluster cluster = cluster(1, 1, 10, 1);
    EndpointLease first = connected(request(cluster, "first"));
    request(cluster, "b");
    first.release();

    // b's turn is scheduled but has not run: the room is b's, not the newcomer's.
    assertThat(request(cluster, "late")).isInstanceOf(PendingRequest.class);
    runLoop();
    assertThat(turns).containsExactly("b:lease");
    leases.getFirst().release();
    runLoop();
    assertThat(turns).containsExactly("b:lease", "late:lease");
  }

  @Test
  void aFullQueueRefusesAndCountsTheOverflow() {
    UpstreamCluster cluster = cluster(1, 1, 2, 1);
    connected(request(cluster, "first"));
    request(cluster, "b");
    request(cluster, "c");

    assertThat(request(cluster, "d")).isEqualTo(Refusal.MAX_PENDING_REQUESTS);
    assertThat(Refusal.MAX_PENDING_REQUESTS.isLimit()).isTrue();
    ClusterStats stats = cluster.stats();
    assertThat(stats.pendingRequests()).isEqualTo(2);
    assertThat(stats.queueOverflows()).isEqualTo(1);
    assertThat(stats.maxConnectionsHits()).as("every request that met the limit, queued or not").isEqualTo(3);
  }

  @Test
  void noQueueRefusesAtOnceAndNoLoopKeepsTheBreakersOwnRefusal() {
    UpstreamCluster none = cluster(1, 1, 0, 1);
    connected(request(none, "first"));
    assertThat(request(none, "b")).isEqualTo(Refusal.MAX_PENDING_REQUESTS);

    UpstreamCluster unlooped = UpstreamCluster.builder(ClusterConfig.of("api", List.of(A))
        .withLimits(new CircuitBreakerConfig(1, 1, 10))).build();
    connected(unlooped.pickOrWait(null, List.of(), result -> { }));
    assertThat(unlooped.pickOrWait(null, List.of(), result -> { })).isEqualTo(Refusal.MAX_CONNECTIONS);
    assertThat(unlooped.stats().queueOverflows()).isZero();
  }

  @Test
  void aCancelledWaiterNeverHearsBackAndItsTurnPassesOn() {
    UpstreamCluster cluster = cluster(1, 1, 10, 1);
    EndpointLease first = connected(request(cluster, "first"));
    PendingRequest gone = (PendingRequest) request(cluster, "gone");
    PendingRequest woken = (PendingRequest) request(cluster, "woken");
    request(cluster, "next");

    gone.cancel();
    gone.cancel();
    assertThat(cluster.stats().pendingRequests()).isEqualTo(2);
    first.release();
    // woken holds the room now; cancelled before its turn runs, the room goes to the next.
    woken.cancel();
    runLoop();
    assertThat(turns).containsExactly("next:lease");
    ClusterStats stats = cluster.stats();
    assertThat(stats.queueCancellations()).isEqualTo(2);
    assertThat(stats.pendingRequests()).isZero();
    assertThat(stats.activeConnections()).isEqualTo(1);
  }

  @Test
  void aTurnThatFindsNoHealthyEndpointIsRefusedAndPassesTheRoomOn() {
    UpstreamCluster cluster = cluster(1, 1, 10, 1);
    EndpointLease first = connected(request(cluster, "first"));
    request(cluster, "b");
    request(cluster, "c");

    cluster.applyHealth(new HealthTransition(A.address(), false, "down"));
    first.release();
    runLoop();
    assertThat(turns).containsExactly("b:NO_HEALTHY_ENDPOINT", "c:NO_HEALTHY_ENDPOINT");
    assertThat(cluster.stats().activeConnections()).isZero();
  }

  @Test
  void requestsWaitForPendingConnectsTooAndGoOnWhenOneConnects() {
    UpstreamCluster cluster = cluster(10, 1, 10, 1);
    EndpointLease connecting = (EndpointLease) request(cluster, "first");
    assertThat(request(cluster, "b")).isInstanceOf(PendingRequest.class);

    connecting.connected();
    runLoop();
    assertThat(turns).containsExactly("b:lease");
    assertThat(cluster.stats().maxPendingHits()).isEqualTo(1);
  }

  @Test
  void aReloadThatRaisesTheLimitLetsWaitersGoAtOnce() {
    UpstreamCluster cluster = cluster(1, 1, 10, 1);
    connected(request(cluster, "first"));
    request(cluster, "b");
    request(cluster, "c");

    cluster.reconfigure(cluster.config().withLimits(new CircuitBreakerConfig(3, 3, 10)));
    runLoop();
    assertThat(turns).containsExactly("b:lease", "c:lease");
  }

  @Test
  void eachLoopQueuesItsShareOfTheClusterQueue() {
    UpstreamCluster cluster = cluster(4, 4, 10, 4);
    connected(request(cluster, "first"));
    // ceil(10 / 4) = 3 waiting per loop
    for (int i = 0; i < 3; i++) {
      assertThat(request(cluster, "w" + i)).isInstanceOf(PendingRequest.class);
    }
    assertThat(request(cluster, "over")).isEqualTo(Refusal.MAX_PENDING_REQUESTS);
  }
}
