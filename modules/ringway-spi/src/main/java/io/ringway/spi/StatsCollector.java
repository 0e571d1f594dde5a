package io.ringway.spi;

import io.ringway.spi.message.CollectedStats;
import io.ringway.spi.message.InstanceStats;
import io.ringway.spi.message.StatsRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client side of the stats contract: gathers the counters of every data-plane verticle instance
 * on this node over {@link Addresses#STATS_COLLECT}. Instances listen there with local consumers, so a request would
 * reach one of them: the collector publishes a {@link StatsRequest} and waits until, for each
 * verticle that answered, as many instances answered as that verticle says it has and no other reply
 * came for a short quiet period (which verticles exist is only known from their answers), or the timeout.
 */
public final class StatsCollector {

  /** Instances answer from their own loops within microseconds of each other; this covers a busy loop. */
  private static final long QUIET_MS = 25;

  private final Vertx vertx;
  private final Duration timeout;

  public StatsCollector(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  /** The counters of every instance that answered; never fails. */
  public Future<CollectedStats> collect() {
    String replyTo = "ringway.admin.stats." + UUID.randomUUID();
    List<InstanceStats> replies = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    Promise<CollectedStats> done = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(replyTo);
    long timer = vertx.setTimer(timeout.toMillis(), fired -> done.tryComplete(new CollectedStats(List.copyOf(replies),
        // Nobody answering is complete too: a node may run no data-plane verticle at all.
        replies.isEmpty() || isComplete(expected, seen))));
    long[] quiet = {-1};
    consumer.handler(message -> {
      if (!(message.body() instanceof InstanceStats stats)) {
        return;
      }
      replies.add(stats);
      expected.put(stats.verticle(), stats.instances());
      seen.merge(stats.verticle(), 1, Integer::sum);
      vertx.cancelTimer(quiet[0]);
      if (isComplete(expected, seen)) {
        quiet[0] = vertx.setTimer(QUIET_MS, fired -> {
          vertx.cancelTimer(timer);
          done.tryComplete(new CollectedStats(List.copyOf(replies), true));
        });
      }
    });
    return consumer.completion()
        .onSuccess(registered -> vertx.eventBus().publish(Addresses.STATS_COLLECT,
            new StatsRequest(replyTo), new DeliveryOptions().setLocalOnly(true)))
        .transform(registered -> done.future())
        .eventually(consumer::unregister);
  }

  private static boolean isComplete(Map<String, Integer> expected, Map<String, Integer> seen) {
    return !expected.isEmpty()
        && expected.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), 0) >= e.getValue());
  }
}
