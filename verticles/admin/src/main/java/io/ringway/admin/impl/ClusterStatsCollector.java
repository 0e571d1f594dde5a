package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.StatsCollector;
import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.StatsRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Gathers every member's node-scope stats over the clustered {@link Addresses#STATS_NODE}: each
 * admin verticle answers the {@link StatsRequest} with what its {@link StatsCollector} gathered (a
 * {@link CollectedStats}, which crosses nodes as its JSON form); the collector waits for as many answers
 * as the cluster manager counts members, or the timeout. Standalone, it is the node's own.
 */
public final class ClusterStatsCollector {

  private final Vertx vertx;
  private final StatsCollector node;
  private final Duration timeout;

  public ClusterStatsCollector(Vertx vertx, StatsCollector node, Duration timeout) {
    this.vertx = vertx;
    this.node = node;
    this.timeout = timeout;
  }

  /** Answers other members' collectors with this node's stats; call once at start. */
  public Future<Void> serve() {
    return vertx.eventBus().consumer(Addresses.STATS_NODE, request -> {
      if (request.body() instanceof StatsRequest asked) {
        node.collect().onSuccess(stats -> vertx.eventBus().send(asked.replyTo(), stats));
      }
    }).completion();
  }

  /** The instances of every member that answered in time; never fails. */
  public Future<CollectedStats> collect() {
    if (!vertx.isClustered()) {
      return node.collect();
    }
    int members = ((VertxInternal) vertx).clusterManager().getNodes().size();
    String replyTo = "ringway.admin.cluster-stats." + UUID.randomUUID();
    List<InstanceStats> instances = new ArrayList<>();
    int[] answered = {0};
    boolean[] complete = {true};
    Promise<CollectedStats> done = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(replyTo);
    long timer = vertx.setTimer(timeout.toMillis(),
        fired -> done.tryComplete(new CollectedStats(List.copyOf(instances), false)));
    consumer.handler(message -> {
      if (!(message.body() instanceof CollectedStats member)) {
        return;
      }
      instances.addAll(member.instances());
      complete[0] &= member.complete();
      if (++answered[0] >= members) {
        vertx.cancelTimer(timer);
        done.tryComplete(new CollectedStats(List.copyOf(instances), complete[0]));
      }
    });
    return consumer.completion()
        .onSuccess(registered -> vertx.eventBus().publish(Addresses.STATS_NODE, new StatsRequest(replyTo)))
        .transform(registered -> done.future())
        .eventually(consumer::unregister);
  }
}
