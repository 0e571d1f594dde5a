package io.ringway.filter.ratelimit;

import io.ringway.spi.ConfigError;
import io.ringway.spi.http.FilterRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code rate-limit} of one route.
 *
 * @param requestsPerSecond refill rate of each bucket
 * @param burst bucket size: requests a key may send at once after being idle
 * @param key {@link Key#CLIENT}, {@link Key#HEADER} or {@link Key#ROUTE}
 * @param header the header's name (lower case) for {@link Key#HEADER}; null otherwise
 * @param maxKeys most buckets one event loop keeps; the least recently used one goes first
 * @param scope {@link Scope#LOCAL}: buckets on each event loop; {@link Scope#CLUSTER}: one budget per key and
 *     window shared by every node of the cluster
 * @param windowSeconds with {@link Scope#CLUSTER}: the length of the fixed windows the budget is counted in
 * @param leaseSize with {@link Scope#CLUSTER}: tokens an event loop takes from the shared budget at a time; 0 means
 *     the default, a tenth of the loop's even share of one window's budget (at least 1)
 */
record RateLimitConfig(double requestsPerSecond, int burst, Key key, String header, int maxKeys, Scope scope,
    int windowSeconds, int leaseSize) {

  /** What a bucket is per. */
  enum Key { CLIENT, HEADER, ROUTE }

  /** Where the budget lives. */
  enum Scope { LOCAL, CLUSTER }

  static final int DEFAULT_MAX_KEYS = 65_536;
  /** Longest cluster window: the shared map keeps a window's entry for {@code SharedMaps.RATE_LIMIT_TTL_SECONDS}. */
  static final int MAX_WINDOW_SECONDS = 60;
  private static final Set<String> KEYS = Set.of("requestsPerSecond", "burst", "key", "maxKeys", "scope",
      "windowSeconds", "leaseSize");

  /** The bucket {@code request} counts against; requests without the header a key names share one. */
  String keyOf(FilterRequest request) {
    return switch (key) {
      case CLIENT -> request.clientAddress();
      case HEADER -> {
        String value = request.header(header);
        yield value == null ? "" : value;
      }
      case ROUTE -> "";
    };
  }

  /** One window's budget of a cluster-scoped limit: requestsPerSecond × windowSeconds, at least 1. */
  long windowBudget() {
    return Math.max(1, Math.round(requestsPerSecond * windowSeconds));
  }

  /** Reads a config that {@link #validate} accepted. */
  static RateLimitConfig of(JsonObject json) {
    double rate = json.getNumber("requestsPerSecond").doubleValue();
    String key = json.getString("key", "client");
    boolean header = key.startsWith("header:");
    return new RateLimitConfig(rate, json.getInteger("burst", (int) Math.max(1, Math.ceil(rate))),
        header ? Key.HEADER : Key.valueOf(key.toUpperCase(Locale.ROOT)),
        header ? key.substring("header:".length()).trim().toLowerCase(Locale.ROOT) : null,
        json.getInteger("maxKeys", DEFAULT_MAX_KEYS),
        Scope.valueOf(json.getString("scope", "local").toUpperCase(Locale.ROOT)),
        json.getInteger("windowSeconds", 1), json.getInteger("leaseSize", 0));
  }

  static List<ConfigError> validate(JsonObject json, String path) {
    List<ConfigError> errors = new ArrayList<>();
    json.fieldNames().stream().filter(name -> !KEYS.contains(name)).sorted().forEach(name ->
        errors.add(new ConfigError(path + "." + name,
            "unknown key (known: requestsPerSecond, burst, key, maxKeys, scope, windowSeconds, leaseSize)")));
    Object rate = json.getValue("requestsPerSecond");
    if (rate == null) {
      errors.add(new ConfigError(path + ".requestsPerSecond", "required: the refill rate, such as 100 or 0.5"));
    } else if (!(rate instanceof Number number) || !(number.doubleValue() > 0) || number.doubleValue() > 1e9) {
      errors.add(new ConfigError(path + ".requestsPerSecond", "expected a number above 0 and at most 1000000000, got "
          + describe(rate)));
    }
    integer(json, "burst", 1, 1_000_000_000, path, errors);
    integer(json, "maxKeys", 1, 10_000_000, path, errors);
    integer(json, "windowSeconds", 1, MAX_WINDOW_SECONDS, path, errors);
    integer(json, "leaseSize", 1, 1_000_000_000, path, errors);
    Object scope = json.getValue("scope");
    if (scope != null && !"local".equals(scope) && !"cluster".equals(scope)) {
      errors.add(new ConfigError(path + ".scope", "expected local or cluster, got " + describe(scope)));
    }
    if (!"cluster".equals(scope)) {
      for (String clusterOnly : List.of("windowSeconds", "leaseSize")) {
        if (json.containsKey(clusterOnly)) {
          errors.add(new ConfigError(path + "." + clusterOnly, "applies to scope: cluster only"));
        }
      }
    } else if (json.containsKey("burst")) {
      errors.add(new ConfigError(path + ".burst", "applies to scope: local only (scope: cluster counts fixed windows:"
          + " a window's whole budget may be spent at once)"));
    }
    Object key = json.getValue("key");
    if (key != null && !(key instanceof String text && (text.equals("client") || text.equals("route")
        || text.startsWith("header:") && isToken(text.substring("header:".length()).trim())))) {
      errors.add(new ConfigError(path + ".key", "expected client, route or header:<name>, got " + describe(key)));
    }
    return errors;
  }

  private static void integer(JsonObject json, String key, int min, int max, String path, List<ConfigError> errors) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof Integer number && number >= min && number <= max)) {
      errors.add(new ConfigError(path + "." + key, "expected an integer from " + min + " to " + max + ", got "
          + describe(value)));
    }
  }

  private static boolean isToken(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
  }

  private static String describe(Object value) {
    return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
  }
}
