package io.ringway.spi.config;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One entry of a route's {@code filters}: {@code - rate-limit: {requestsPerSecond: 100}}.
 *
 * @param name the filter factory's name
 * @param config its config, checked by that factory at load
 */
public record FilterConfig(String name, JsonObject config) {

  public FilterConfig {
    Objects.requireNonNull(name, "name");
    config = config.copy();
  }
}
