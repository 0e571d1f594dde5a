package io.ringway.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ringway.cluster.impl.ConfigSyncVerticle;
import io.ringway.cluster.impl.EndpointRegistryVerticle;
import io.ringway.cluster.impl.HazelcastSetup;
import io.ringway.cluster.impl.TunPeerRegistryVerticle;
import io.ringway.config.ConfigLoader;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.config.ClusterDiscovery;
import io.ringway.spi.config.ClusteringConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's membership of a Ringway cluster: an embedded Hazelcast member, started before Vert.x so
 * a join that cannot succeed fails fast with a clear message, and the verticles that share endpoints,
 * tunnel peers and config over it.
 */
public final class RingwayCluster {

  private static final System.Logger LOG = System.getLogger(RingwayCluster.class.getName());
  /** Hazelcast logs every partition move at INFO; Ringway logs membership itself. Held so JUL keeps the level. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  /** Warns at every start that CP structures are unsafe; Ringway uses none (its compare-and-set is IMap.replace). */
  private static final Logger CP_SUBSYSTEM_LOG = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  private final ClusteringConfig config;
  private final HazelcastInstance hazelcast;
  private final ClusterManager clusterManager;

  private RingwayCluster(ClusteringConfig config, HazelcastInstance hazelcast) {
    this.config = config;
    this.hazelcast = hazelcast;
    this.clusterManager = new HazelcastClusterManager(hazelcast);
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LOG.log(System.Logger.Level.INFO, "cluster: member {0} joined ({1} members)", event.getMember().getAddress(),
            event.getMembers().size());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        LOG.log(System.Logger.Level.INFO, "cluster: member {0} left ({1} members); its endpoints and tunnel peers go with it",
            event.getMember().getAddress(), event.getMembers().size());
      }
    });
  }

  /**
   * Starts the Hazelcast member and joins, waiting at most {@code cluster.joinTimeout}. Blocks: call it
   * before Vert.x starts.
   *
   * @throws ClusterJoinException when the member cannot start (port taken, no such interface, bad
   *     discovery) or the cluster does not reach {@code minMembers} in time
   */
  public static RingwayCluster join(ClusteringConfig config) {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    CP_SUBSYSTEM_LOG.setLevel(Level.SEVERE);
    String nodeId = UUID.randomUUID().toString();
    CompletableFuture<HazelcastInstance> started = new CompletableFuture<>();
    Thread.ofPlatform().daemon().name("ringway-cluster-join").start(() -> {
      try {
        started.complete(Hazelcast.newHazelcastInstance(HazelcastSetup.build(config, nodeId)));
      } catch (Throwable e) {
        started.completeExceptionally(e);
      }
    });
    try {
      return new RingwayCluster(config, started.get(config.joinTimeout().toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      // A member still joining cannot be stopped from outside; the caller exits, which ends it.
      throw new ClusterJoinException("cluster: did not join within " + config.joinTimeout().toSeconds() + " s: "
          + config.minMembers() + " member(s) needed, " + where(config) + " (check cluster.discovery, cluster.secret, "
          + "and that the other nodes run with the same cluster.name)", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new ClusterJoinException("cluster: cannot start the cluster member on port " + config.port()
          + (config.networkInterface() == null ? "" : ", interface " + config.networkInterface()) + ": "
          + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterJoinException("cluster: interrupted while joining", e);
    }
  }

  private static String where(ClusteringConfig config) {
    return switch (config.discovery()) {
      case ClusterDiscovery.TcpIp tcpIp -> "looked for members at " + String.join(", ", tcpIp.members());
      case ClusterDiscovery.Multicast multicast -> "listened on multicast " + multicast.group() + ":" + multicast.port();
      case ClusterDiscovery.Kubernetes kubernetes -> "looked up " + kubernetes.lookupName();
    };
  }

  /** The cluster manager to build the clustered Vert.x with; Vert.x leaves this member running when it closes. */
  public ClusterManager clusterManager() {
    return clusterManager;
  }

  /** One line for the startup log: cluster name, this member's address and how many members there are. */
  public String describe() {
    return "cluster: joined \"" + config.name() + "\" as " + hazelcast.getCluster().getLocalMember().getAddress()
        + " (" + hazelcast.getCluster().getMembers().size() + " member(s)"
        + (config.secret() == null ? "; no cluster.secret set, any member named \"" + config.name() + "\" may join" : "")
        + ")";
  }

  /**
   * Deploys what the node shares with the cluster: the endpoint registry, the tunnel-peer registry and the
   * config sync. Deploy it after the data-plane verticles, so the sets it publishes at start reach them.
   */
  public Future<?> deploy(Vertx vertx, ConfigLoader loader, ConfigSnapshot initial) {
    return vertx.deployVerticle(new EndpointRegistryVerticle(hazelcast, initial))
        .compose(registry -> vertx.deployVerticle(new TunPeerRegistryVerticle(hazelcast)))
        .compose(peers -> vertx.deployVerticle(new ConfigSyncVerticle(hazelcast, loader)));
  }

  /** Stops the Hazelcast member; call after Vert.x has closed, so Vert.x leaves the cluster first. */
  public void leave() {
    hazelcast.shutdown();
  }
}
