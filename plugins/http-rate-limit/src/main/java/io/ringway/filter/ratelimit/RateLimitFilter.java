package io.ringway.filter.ratelimit;

import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets of one route on one event loop. Per-key buckets ({@code client}, {@code header:..}) have the full
 * rate on each loop: a key's requests normally come on one connection, so on one loop; a key whose connections
 * spread over k loops may get up to k times the rate. The {@code route} bucket is split evenly over the loops
 * (connections spread evenly over the loops' SO_REUSEPORT sockets), so the node as a whole keeps the rate.
 */
final class RateLimitFilter implements HttpFilter {

  /** Answer when the header a bucket is keyed on is missing: all such requests share one bucket. */
  private static final String NO_KEY = "";

  private final RateLimitConfig config;
  private final double ratePerNano;
  private final int burst;
  private final LongSupplier clock;
  private final Map<String, TokenBucket> buckets;
  private long allowed;
  private long limited;
  private long evicted;

  RateLimitFilter(RateLimitConfig config, int instances, LongSupplier clock) {
    this.config = config;
    boolean split = config.key() == RateLimitConfig.Key.ROUTE && instances > 1;
    this.ratePerNano = (split ? config.requestsPerSecond() / instances : config.requestsPerSecond()) / 1e9;
    this.burst = split ? Math.max(1, (int) Math.ceil((double) config.burst() / instances)) : config.burst();
    this.clock = clock;
    int maxKeys = config.maxKeys();
    // Access order: the bucket idle longest goes when the table is full, which bounds memory under a flood of keys.
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
        if (size() > maxKeys) {
          evicted++;
          return true;
        }
        return false;
      }
    };
  }

  @Override
  public Future<FilterVerdict> onRequest(FilterRequest request) {
    String key = switch (config.key()) {
      case CLIENT -> request.clientAddress();
      case HEADER -> {
        String value = request.header(config.header());
        yield value == null ? NO_KEY : value;
      }
      case ROUTE -> NO_KEY;
    };
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

  @Override
  public JsonObject stats() {
    return new JsonObject().put("allowed", allowed).put("limited", limited).put("activeKeys", buckets.size())
        .put("evicted", evicted);
  }
}
