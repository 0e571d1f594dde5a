package io.ringway.http.impl;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * What every exchange of one instance uses: its Vert.x and its upstream client, whose pools live on
 * the instance's loop because every request is made from it.
 */
record RouterContext(Vertx vertx, HttpClient client) {
}
