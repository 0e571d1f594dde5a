package io.ringway.filter.ratelimit;

import io.ringway.spi.SharedMaps;
import io.ringway.spi.http.FilterRequest;
import io.ringway.spi.http.FilterVerdict;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A route's {@code scope: cluster} limit on one event loop. Every key has one budget per fixed window
 * ({@link RateLimitConfig#windowBudget()} requests in {@code windowSeconds}) shared by the whole cluster through
 * the {@link SharedMaps#RATE_LIMITS} map: the loop leases {@code leaseSize} tokens at a time with a compare-and-set
 * on the window's counter and spends them locally, without a cluster round trip per request.
 *
 * <p>Error bound, per key and window: the cluster admits at most the budget (a lease never hands out more than
 * the counter has left), and when demand exceeds it at least the budget minus {@code leaseSize - 1} for every loop
 * that still holds unspent tokens at the window's end. Windows are fixed, so a client that spends one window's
 * budget at its end and the next's at its start gets up to twice the budget within one window's length. Windows
 * follow the wall clock: nodes whose clocks differ by d move to the next window up to d apart.
 *
 * <p>When the shared map fails or does not answer within {@link #CLUSTER_TIMEOUT_MILLIS}, the request is judged
 * by this loop's own token bucket at the same rate ({@code clusterErrors} counts it): a sick cluster degrades the
 * limit to per-loop accuracy rather than refusing or passing everything.
 */
final class ClusterRateLimitFilter implements HttpFilter {

  static final long CLUSTER_TIMEOUT_MILLIS = 500;
  /** Requests of one key waiting for a lease at most; more are refused at once, so a flood cannot pile up. */
  static final int MAX_WAITING_PER_KEY = 1024;
  /** Compare-and-set attempts on one lease before it counts as a cluster failure. */
  private static final int MAX_ATTEMPTS = 16;

  private final RateLimitConfig config;
  private final String route;
  private final Vertx vertx;
  private final LongSupplier wallMillis;
  private final RateLimitFilter fallback;
  private final long budget;
  private final long leaseSize;
  private final long windowMillis;
  private final KeyTable<KeyState> keys;
  private Future<AsyncMap<String, Long>> map;
  private long allowed;
  private long limited;
  private long leases;
  private long leasedTokens;
  private long clusterErrors;

  /** One key's tokens on this loop, for one window. */
  private static final class KeyState {
    long window = -1;
    long tokens;
    /** The cluster said the window's budget is spent. */
    boolean spent;
    /** The latest lease: requests without a token wait on it while it is under way. */
    Future<Void> lease;
    int waiting;
  }

  ClusterRateLimitFilter(RateLimitConfig config, String route, int instances, Vertx vertx, LongSupplier wallMillis,
      LongSupplier nanos) {
    this.config = config;
    this.route = route;
    this.vertx = vertx;
    this.wallMillis = wallMillis;
    this.fallback = new RateLimitFilter(config, instances, nanos);
    this.budget = config.windowBudget();
    this.leaseSize = config.leaseSize() > 0 ? config.leaseSize() : Math.max(1, budget / (10L * instances));
    this.windowMillis = TimeUnit.SECONDS.toMillis(config.windowSeconds());
    // A key with requests waiting on a lease stays: they hold its state.
    this.keys = new KeyTable<>(config.maxKeys(), state -> state.waiting > 0);
  }

  @Override
  public Future<FilterVerdict> onRequest(FilterRequest request) {
    String key = config.keyOf(request);
    return admit(request, key, keys.computeIfAbsent(key, k -> new KeyState()));
  }

  private Future<FilterVerdict> admit(FilterRequest request, String key, KeyState state) {
    long now = wallMillis.getAsLong();
    long window = now / windowMillis;
    if (state.window != window) {
      state.window = window;
      state.tokens = 0;
      state.spent = false;
    }
    if (state.tokens > 0) {
      state.tokens--;
      allowed++;
      return FilterVerdict.PROCEED;
    }
    if (state.spent) {
      return refuse(now, window);
    }
    if (state.waiting >= MAX_WAITING_PER_KEY) {
      return refuse(now, window);
    }
    // A lease the map answered at once is complete here already: never wait on one that is over.
    if (state.lease == null || state.lease.isComplete()) {
      state.lease = lease(key, window, state);
    }
    state.waiting++;
    return state.lease.transform(leased -> {
      state.waiting--;
      if (leased.failed()) {
        clusterErrors++;
        return fallback.onRequest(request);
      }
      return admit(request, key, state);
    });
  }

  private Future<FilterVerdict> refuse(long now, long window) {
    limited++;
    long retryAfter = Math.max(1, (long) Math.ceil(((window + 1) * windowMillis - now) / 1000.0));
    return Future.succeededFuture(
        new FilterVerdict.Reply(429, Map.of("retry-after", Long.toString(retryAfter)), "rate limited"));
  }

  /** Takes up to {@code leaseSize} tokens of {@code window}'s budget into {@code state}. */
  private Future<Void> lease(String key, long window, KeyState state) {
    String counter = route + '\u0000' + key + '\u0000' + config.windowSeconds() + '\u0000' + window;
    return sharedMap().compose(shared -> take(shared, counter, 1))
        .timeout(CLUSTER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .map(granted -> {
          leases++;
          leasedTokens += granted;
          if (state.window == window) {
            state.tokens += granted;
            state.spent = granted < leaseSize;
          }
          return null;
        });
  }

  /** Compare-and-set on the window's counter: what it granted, 0 when the budget is spent. */
  private Future<Long> take(AsyncMap<String, Long> shared, String counter, int attempt) {
    if (attempt > MAX_ATTEMPTS) {
      return Future.failedFuture("no lease after " + MAX_ATTEMPTS + " compare-and-set attempts");
    }
    long ttl = TimeUnit.SECONDS.toMillis(SharedMaps.RATE_LIMIT_TTL_SECONDS);
    return shared.get(counter).compose(handedOut -> {
      long granted = Math.min(leaseSize, budget - (handedOut == null ? 0 : handedOut));
      if (granted <= 0) {
        return Future.succeededFuture(0L);
      }
      Future<Boolean> written = handedOut == null
          ? shared.putIfAbsent(counter, granted, ttl).map(previous -> previous == null)
          // Vert.x's clustered map has no TTL on compare-and-set; the cluster gives the map one of its own.
          : vertx.isClustered() ? shared.replaceIfPresent(counter, handedOut, handedOut + granted)
              : shared.replaceIfPresent(counter, handedOut, handedOut + granted, ttl);
      return written.compose(ok -> ok ? Future.succeededFuture(granted) : take(shared, counter, attempt + 1));
    });
  }

  private Future<AsyncMap<String, Long>> sharedMap() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(SharedMaps.RATE_LIMITS);
    }
    return map;
  }

  @Override
  public JsonObject stats() {
    return new JsonObject().put("allowed", allowed + fallback.allowed()).put("limited", limited + fallback.limited())
        .put("activeKeys", keys.size()).put("evicted", keys.evicted()).put("leases", leases).put("leasedTokens", leasedTokens)
        .put("clusterErrors", clusterErrors);
  }
}
