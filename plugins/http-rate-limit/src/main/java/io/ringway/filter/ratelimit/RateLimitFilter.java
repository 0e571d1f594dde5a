package io.ringway.filter.ratelimit;

import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets of one route on one event loop. Per-key buckets ({@code client}, {@code header:..}) have the full
 * rate on each loop: a key's requests normally come on one connection, so on one loop; a key whose connections
 * spread over k loops may get up to k times the rate. The {@code route} bucket is split evenly over the loops
 * (connections spread evenly over the loops' SO_REUSEPORT sockets), so the node as a whole keeps the rate.
 */
final class RateLimitFilter implements HttpFilter {

  private final RateLimitConfig config;
  private final double ratePerNano;
  private final int burst;
  private final LongSupplier clock;
  private final KeyTable<TokenBucket> buckets;
  private long allowed;
  private long limited;

  RateLimitFilter(RateLimitConfig config, int instances, LongSupplier clock) {
    this.config = config;
    boolean split = config.key() == RateLimitConfig.Key.ROUTE && instances > 1;
    this.ratePerNano = (split ? config.requestsPerSecond() / instances : config.requestsPerSecond()) / 1e9;
    this.burst = split ? Math.max(1, (int) Math.ceil((double) config.burst() / instances)) : config.burst();
    this.clock = clock;
    this.buckets = new KeyTable<>(config.maxKeys(), bucket -> false);
  }

  @Override
  public Future<FilterVerdict> onRequest(FilterRequest request) {
    String key = config.keyOf(request);
    long now = clock.getAsLong();
    TokenBucket bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(burst, now));
    long retryAfter = bucket.take(ratePerNano, burst, now);
    if (retryAfter == 0) {
      allowed++;
      return FilterVerdict.PROCEED;
    }
    limited++;
    return Future.succeededFuture(
        new FilterVerdict.Reply(429, Map.of("retry-after", Long.toString(retryAfter)), "rate limited"));
  }

  long allowed() {
    return allowed;
  }

  long limited() {
    return limited;
  }

  @Override
  public JsonObject stats() {
    return new JsonObject().put("allowed", allowed).put("limited", limited).put("activeKeys", buckets.size())
        .put("evicted", buckets.evicted());
  }
}
