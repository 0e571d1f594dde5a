package io.ringway.spi.config;

import java.util.List;

/**
 * The L7 router: its listeners and one ordered route table shared by all of them.
 *
 * @param listeners in config order; names unique (default: none)
 * @param routes in order, first match wins; a request no route matches gets 404 (default: none)
 * @param accessLog where and how requests are logged, or null for no access log (default)
 */
public record HttpRouterConfig(List<HttpListenerConfig> listeners, List<RouteConfig> routes,
                               AccessLogConfig accessLog) {

  /** No listeners, no routes: the router starts idle. */
  public static final HttpRouterConfig NONE = new HttpRouterConfig(List.of(), List.of(), null);

  public HttpRouterConfig {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
  }
}
