package io.ringway.spi.config;

import java.util.List;

/**
 * The L7 router: its listeners and one ordered route table shared by all of them.
 *
 * @param listeners in config order; names unique (default: none)
 * @param routes in order, first match wins; a request no route matches gets 404 (default: none)
 * @param accessLog where and how requests are logged, or null for no access log (default)
 * @param clientCertHeader the request header carrying a verified client certificate's identity upstream (Envoy's
 *     {@code x-forwarded-client-cert} format); every listener removes it from what clients send (lower case)
 * @param tracing W3C trace context and span export, or null: off (default), {@code traceparent} passed untouched
 */
public record HttpRouterConfig(List<HttpListenerConfig> listeners, List<RouteConfig> routes,
                               AccessLogConfig accessLog, String clientCertHeader, TracingConfig tracing) {

  public static final String DEFAULT_CLIENT_CERT_HEADER = "x-forwarded-client-cert";

  /** No listeners, no routes: the router starts idle. */
  public static final HttpRouterConfig NONE = new HttpRouterConfig(List.of(), List.of(), null);

  public HttpRouterConfig {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    java.util.Objects.requireNonNull(clientCertHeader, "clientCertHeader");
  }

  /** With the default client certificate header. */
  public HttpRouterConfig(List<HttpListenerConfig> listeners, List<RouteConfig> routes, AccessLogConfig accessLog) {
    this(listeners, routes, accessLog, DEFAULT_CLIENT_CERT_HEADER, null);
  }

  /** Without tracing. */
  public HttpRouterConfig(List<HttpListenerConfig> listeners, List<RouteConfig> routes, AccessLogConfig accessLog,
                          String clientCertHeader) {
    this(listeners, routes, accessLog, clientCertHeader, null);
  }
}
