package io.ringway.spi.http;

import io.vertx.core.Vertx;

/**
 * What a filter may use: the Vert.x instance (timers on its loop, the event bus, the cluster's shared data when
 * clustered) and where it sits.
 *
 * @param vertx the node's Vert.x
 * @param route the route's name
 * @param instances event loops the router runs on: a node-wide budget split evenly gives each loop 1/instances
 */
public record FilterContext(Vertx vertx, String route, int instances) {
}
