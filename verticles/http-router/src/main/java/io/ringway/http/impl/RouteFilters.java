package io.ringway.http.impl;

import io.ringway.spi.config.FilterConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.http.FilterContext;
import io.ringway.spi.http.HttpFilter;
import io.ringway.spi.http.HttpFilterFactory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The HTTP filters of one router instance's routes. A reload keeps the instance of each filter whose route,
 * position and config are unchanged (a rate limiter keeps its buckets), creates the new ones and closes the rest.
 * Only the instance's loop touches it.
 */
final class RouteFilters {

  /** Where a filter instance sits: a changed config or a moved filter is a new instance. */
  private record Slot(String route, int position, FilterConfig config) {
  }

  private static final List<HttpFilterFactory> FACTORIES =
      ServiceLoader.load(HttpFilterFactory.class).stream().map(ServiceLoader.Provider::get).toList();

  private final Vertx vertx;
  private final int instances;
  private Map<Slot, HttpFilter> running = new HashMap<>();

  RouteFilters(Vertx vertx, int instances) {
    this.vertx = vertx;
    this.instances = instances;
  }

  /**
   * The filter chain of every route of {@code routes}, by route name.
   *
   * @throws IllegalStateException when a route names a filter no factory on the classpath provides (config
   *     validation found the factory, so this build lost the plugin since)
   */
  Map<String, List<HttpFilter>> apply(List<RouteConfig> routes) {
    Map<Slot, HttpFilter> next = new HashMap<>();
    Map<String, List<HttpFilter>> chains = new HashMap<>();
    for (RouteConfig route : routes) {
      List<HttpFilter> chain = new ArrayList<>();
      for (int i = 0; i < route.filters().size(); i++) {
        Slot slot = new Slot(route.name(), i, route.filters().get(i));
        HttpFilter filter = running.containsKey(slot) ? running.get(slot) : create(slot);
        next.put(slot, filter);
        chain.add(filter);
      }
      chains.put(route.name(), List.copyOf(chain));
    }
    running.forEach((slot, filter) -> {
      if (!next.containsKey(slot)) {
        filter.close();
      }
    });
    running = next;
    return chains;
  }

  private HttpFilter create(Slot slot) {
    HttpFilterFactory factory = FACTORIES.stream().filter(f -> f.name().equals(slot.config().name())).findFirst()
        .orElseThrow(() -> new IllegalStateException("http-router: route " + slot.route() + " names filter \""
            + slot.config().name() + "\", which no plugin on the classpath provides"));
    return factory.create(slot.config().config(), new FilterContext(vertx, slot.route(), instances));
  }

  /** {@code [{"filter":"rate-limit", <its counters>}, ..]} for the route, in chain order. */
  static JsonArray statsJson(List<HttpFilter> chain, List<FilterConfig> configs) {
    JsonArray array = new JsonArray();
    for (int i = 0; i < chain.size(); i++) {
      array.add(chain.get(i).stats().copy().put("filter", configs.get(i).name()));
    }
    return array;
  }

  void close() {
    running.values().forEach(HttpFilter::close);
    running = new HashMap<>();
  }
}
