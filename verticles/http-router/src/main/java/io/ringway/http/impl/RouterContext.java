package io.ringway.http.impl;

import io.ringway.spi.upstream.UpstreamProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * What every exchange of one instance uses: its Vert.x and its upstream clients, whose pools live on
 * the instance's loop because every request is made from it.
 *
 * @param client HTTP/1.1 with keep-alive; also every WebSocket upgrade
 * @param h2cClient HTTP/2 with prior knowledge, for clusters with {@code protocol: h2c}
 */
record RouterContext(Vertx vertx, HttpClient client, HttpClient h2cClient) {

  /** The client that speaks {@code protocol}. */
  HttpClient client(UpstreamProtocol protocol) {
    return protocol == UpstreamProtocol.H2C ? h2cClient : client;
  }
}
