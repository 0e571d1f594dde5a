package io.ringway.spi.http;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A named HTTP filter (rate limit, JWT check, ...), found by {@link java.util.ServiceLoader} and placed per route in
 * config: {@code http.routes[i].filters: [{<name>: {<its config>}}]}. The router runs a route's filters in order
 * on each request head, after the route matched and before its action; it knows none of them by name.
 */
public interface HttpFilterFactory {

  /** The name config uses, such as {@code rate-limit}. */
  String name();

  /**
   * Checks this filter's config once, at load; every error names its path below {@code path}
   * ({@code http.routes[2].filters[0].rate-limit.burst}). A config with errors is refused as a whole.
   */
  List<ConfigError> validate(JsonObject config, String path);

  /**
   * A filter for one route on one event loop, from a config {@link #validate} accepted. Called on that loop; the
   * filter is only ever called there, so it needs no locks. The router keeps an instance across reloads that
   * leave its route's filter config unchanged (a rate limiter keeps its buckets).
   */
  HttpFilter create(JsonObject config, FilterContext context);
}
