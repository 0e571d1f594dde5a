package io.ringway.spi;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client side of the stats contract: gathers the counters of every data-plane verticle instance
 * on this node over {@link Addresses#STATS_COLLECT}. Instances listen there with local consumers, so a request would
 * reach one of them: the collector publishes {@code {"replyTo": <address>}} and waits until, for each
 * verticle that answered, as many instances answered as that verticle says it has and no other reply
 * came for a short quiet period (which verticles exist is only known from their answers), or the timeout.
 */
public final class StatsCollector {

  /** What one collection gathered. {@code complete} is false when the timeout cut it short. */
  public record Collected(List<JsonObject> instances, boolean complete) {

    /**
     * Connections and requests still open, summed over instances: the {@code inFlight} every data-plane
     * verticle reports, which a drain waits to see at zero.
     */
    public long inFlight() {
      return instances.stream().mapToLong(instance -> instance.getLong("inFlight", 0L)).sum();
    }
  }

  /** Instances answer from their own loops within microseconds of each other; this covers a busy loop. */
  private static final long QUIET_MS = 25;

  private final Vertx vertx;
  private final Duration timeout;

  public StatsCollector(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  /** The counters of every instance that answered; never fails. */
  public Future<Collected> collect() {
    String replyTo = "ringway.admin.stats." + UUID.randomUUID();
    List<JsonObject> replies = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    Promise<Collected> done = Promise.promise();
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(replyTo);
    long timer = vertx.setTimer(timeout.toMillis(), fired -> done.tryComplete(new Collected(List.copyOf(replies),
        // Nobody answering is complete too: a node may run no data-plane verticle at all.
        replies.isEmpty() || isComplete(expected, seen))));
    long[] quiet = {-1};
    consumer.handler(message -> {
      if (!(message.body() instanceof JsonObject stats) || stats.getString("verticle") == null) {
        return;
      }
      replies.add(stats);
      String verticle = stats.getString("verticle");
      expected.put(verticle, stats.getInteger("instances", 1));
      seen.merge(verticle, 1, Integer::sum);
      vertx.cancelTimer(quiet[0]);
      if (isComplete(expected, seen)) {
        quiet[0] = vertx.setTimer(QUIET_MS, fired -> {
          vertx.cancelTimer(timer);
          done.tryComplete(new Collected(List.copyOf(replies), true));
        });
      }
    });
    return consumer.completion()
        .onSuccess(registered -> vertx.eventBus().publish(Addresses.STATS_COLLECT,
            new JsonObject().put("replyTo", replyTo), new DeliveryOptions().setLocalOnly(true)))
        .transform(registered -> done.future())
        .eventually(consumer::unregister);
  }

  private static boolean isComplete(Map<String, Integer> expected, Map<String, Integer> seen) {
    return !expected.isEmpty()
        && expected.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), 0) >= e.getValue());
  }
}
