package io.ringway.http.impl;

import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.http.HttpFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The routes of one config version, in order; the first that matches wins. Immutable: a reload builds a
 * new table and swaps one reference, and a request keeps the table it was routed with.
 */
public final class RouteTable {

  private final List<Route> routes;
  private final boolean matchesOnHeaders;
  private final boolean matchesOnHosts;

  private RouteTable(List<Route> routes) {
    this.routes = List.copyOf(routes);
    this.matchesOnHeaders = routes.stream().anyMatch(route -> !route.config().match().headers().isEmpty());
    this.matchesOnHosts = routes.stream().anyMatch(route -> !route.config().match().hosts().isEmpty());
  }

  /** Whether some route matches on the host: the byte-level path reads it for routing only then. */
  boolean matchesOnHosts() {
    return matchesOnHosts;
  }

  /** Whether some route matches on request fields: the byte-level path then hands routing the fields. */
  boolean matchesOnHeaders() {
    return matchesOnHeaders;
  }


  /**
   * Compiles routes.
   *
   * @param stats gives each route its counters by name, so a reload keeps counting where it was
   * @param filters gives each route its filter chain by name
   * @throws java.util.regex.PatternSyntaxException when a regex does not compile
   */
  public static RouteTable compile(List<RouteConfig> configs, Function<String, RouteStats> stats,
                                   Function<String, List<HttpFilter>> filters) {
    List<Route> routes = new ArrayList<>();
    for (RouteConfig config : configs) {
      routes.add(new Route(config, new RouteMatcher(config.match()), stats.apply(config.name()),
          filters.apply(config.name())));
    }
    return new RouteTable(routes);
  }

  /** Compiles routes with fresh counters; for tests. */
  public static RouteTable compile(List<RouteConfig> configs) {
    return compile(configs, name -> new RouteStats(), name -> List.of());
  }

  /** The first route that takes the request, or {@code null}. */
  public Route match(RouteRequest request) {
    for (Route route : routes) {
      if (route.matcher().matches(request)) {
        return route;
      }
    }
    return null;
  }

  public List<Route> routes() {
    return routes;
  }
}
