package io.ringway.spi.config;

import java.util.List;
import java.util.Objects;

/**
 * One route: when {@code match} accepts a request, {@code action} answers it under {@code policy}.
 *
 * @param name unique name, used in stats and access logs
 * @param match what requests it takes (default {@link RouteMatch#ANY})
 * @param action what it does with them (required)
 * @param policy timeouts, retries and header rewrites (default {@link RoutePolicy#DEFAULTS})
 * @param filters what runs on each request head before the action, in order (default none)
 */
public record RouteConfig(String name, RouteMatch match, RouteAction action, RoutePolicy policy,
                          List<FilterConfig> filters) {

  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(policy, "policy");
    filters = List.copyOf(filters);
  }

  /** A route without filters. */
  public RouteConfig(String name, RouteMatch match, RouteAction action, RoutePolicy policy) {
    this(name, match, action, policy, List.of());
  }

  /** A route with the default policy. */
  public RouteConfig(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, RoutePolicy.DEFAULTS);
  }
}
