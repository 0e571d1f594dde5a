package io.ringway.spi.config;

import java.util.Objects;

/**
 * One route: when {@code match} accepts a request, {@code action} answers it under {@code policy}.
 *
 * @param name unique name, used in stats and access logs
 * @param match what requests it takes (default {@link RouteMatch#ANY})
 * @param action what it does with them (required)
 * @param policy timeouts, retries and header rewrites (default {@link RoutePolicy#DEFAULTS})
 */
public record RouteConfig(String name, RouteMatch match, RouteAction action, RoutePolicy policy) {

  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(policy, "policy");
  }

  /** A route with the default policy. */
  public RouteConfig(String name, RouteMatch match, RouteAction action) {
    this(name, match, action, RoutePolicy.DEFAULTS);
  }
}
