package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.StatsCollector;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Gathers every member's node-scope stats over the clustered {@link Addresses#STATS_NODE}: each
 * admin verticle answers there with what its {@link StatsCollector} gathered; the collector waits for
 * as many answers as the cluster manager counts members, or the timeout. Standalone, it is the node's own.
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
    return vertx.eventBus().<JsonObject>consumer(Addresses.STATS_NODE, request -> node.collect().onSuccess(stats -> {
      String replyTo = request.body() == null ? null : request.body().getString("replyTo");
      if (replyTo != null) {
        vertx.eventBus().send(replyTo, new JsonObject().put("complete", stats.complete())
            .put("instances", new JsonArray(List.copyOf(stats.instances()))));
      }
    })).completion();
  }

  /** The instances of every member that answered in time; never fails. */
  public Future<StatsCollector.Collected> collect() {
    if (!vertx.isClustered()) {
      return node.collect();
    }
    int members = ((VertxInternal) vertx).clusterManager().getNodes().size();
    String replyTo = "ringway.admin.cluster-stats." + UUID.randomUUID();
    List<JsonObject> instances = new ArrayList<>();
    int[] answered = {0};
    boolean[] complete = {true};
    Promise<StatsCollector.Collected> done = Promise.promise();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(replyTo);
    long timer = vertx.setTimer(timeout.toMillis(),
        fired -> done.tryComplete(new StatsCollector.Collected(List.copyOf(instances), false)));
    consumer.handler(message -> {
      message.body().getJsonArray("instances", new JsonArray()).forEach(entry -> instances.add((JsonObject) entry));
      complete[0] &= message.body().getBoolean("complete", false);
      if (++answered[0] >= members) {
        vertx.cancelTimer(timer);
        done.tryComplete(new StatsCollector.Collected(List.copyOf(instances), complete[0]));
      }
    });
    return consumer.completion()
        .onSuccess(registered -> vertx.eventBus().publish(Addresses.STATS_NODE, new JsonObject().put("replyTo", replyTo)))
        .transform(registered -> done.future())
        .eventually(consumer::unregister);
  }
}
