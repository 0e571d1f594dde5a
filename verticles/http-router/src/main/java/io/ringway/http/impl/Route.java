package io.ringway.http.impl;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RoutePolicy;
import io.ringway.spi.config.WeightedCluster;
import io.ringway.spi.http.HttpFilter;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.random.RandomGenerator;

/** One compiled route: its matcher, action, policy and counters. */
public final class Route {

  private final RouteConfig config;
  private final RouteMatcher matcher;
  private final RouteStats stats;
  private final int totalWeight;
  private final List<HttpFilter> filters;
  /** The deadlines of this route's forwarded requests; each instance compiles its own routes, so one loop's. */
  private RequestDeadlines deadlines;

  Route(RouteConfig config, RouteMatcher matcher, RouteStats stats, List<HttpFilter> filters) {
    this.config = config;
    this.matcher = matcher;
    this.stats = stats;
    this.filters = List.copyOf(filters);
    this.totalWeight = config.action() instanceof ForwardAction forward
        ? forward.clusters().stream().mapToInt(WeightedCluster::weight).sum() : 0;
  }

  public String name() {
    return config.name();
  }

  public RouteAction action() {
    return config.action();
  }

  public RoutePolicy policy() {
    return config.policy();
  }

  public RouteStats stats() {
    return stats;
  }

  public RouteConfig config() {
    return config;
  }

  /** What runs on each request head before the action, in order. */
  public List<HttpFilter> filters() {
    return filters;
  }

  /** This route's request deadlines ({@code policy.timeout}), made on first use. */
  RequestDeadlines deadlines(ContextInternal context) {
    if (deadlines == null) {
      deadlines = new RequestDeadlines(context, policy().timeout().toMillis());
    }
    return deadlines;
  }

  RouteMatcher matcher() {
    return matcher;
  }

  /** The cluster a forwarded request goes to: by weight, or the first one when every weight is 0. */
  public String pickCluster(RandomGenerator random) {
    List<WeightedCluster> clusters = ((ForwardAction) config.action()).clusters();
    if (clusters.size() == 1 || totalWeight == 0) {
      return clusters.get(0).cluster();
    }
    int ticket = random.nextInt(totalWeight);
    for (WeightedCluster cluster : clusters) {
      ticket -= cluster.weight();
      if (ticket < 0) {
        return cluster.cluster();
      }
    }
    return clusters.get(clusters.size() - 1).cluster();
  }
}
