package io.ringway.admin.impl;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Refuses (403) a request that changes something when a browser says it comes from another site; on every
 * route that changes something. On
 * loopback the API needs no token, and a browser attaches cached credentials by itself, so without this
 * any web page could post a drain to {@code 127.0.0.1:9901} (a form post needs no CORS preflight).
 * Browsers send {@code Origin} on every cross-origin POST and {@code Sec-Fetch-Site} on every request;
 * tools like curl send neither and are let through.
 */
public final class SameOriginGuard implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext routing) {
    HttpMethod method = routing.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      routing.next();
      return;
    }
    String site = routing.request().getHeader("Sec-Fetch-Site");
    String origin = routing.request().getHeader(HttpHeaders.ORIGIN);
    String host = routing.request().getHeader(HttpHeaders.HOST);
    boolean crossSite = site != null && !site.equals("same-origin") && !site.equals("none");
    boolean otherOrigin = origin != null && (host == null || !origin.toLowerCase(Locale.ROOT).replaceFirst("^https?://", "")
        .equals(host.toLowerCase(Locale.ROOT)));
    if (crossSite || otherOrigin) {
      AdminResponses.error(routing, 403, "cross-origin " + method + " refused: the admin API changes the node only"
          + " on requests from its own pages or from non-browser clients");
      return;
    }
    routing.next();
  }
}
