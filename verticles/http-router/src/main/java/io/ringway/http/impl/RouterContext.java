package io.ringway.http.impl;

import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.UpstreamProtocol;
import io.ringway.upstream.UpstreamTls;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * What every exchange of one instance uses: its Vert.x and its upstream clients, whose pools live on
 * the instance's loop because every request is made from it.
 *
 * @param context the instance's: its timers fire on the instance's loop
 * @param client HTTP/1.1 with keep-alive; also every WebSocket upgrade to a cleartext cluster
 * @param oneShotClient HTTP/1.1 on a new connection per request, closed after it: for a request that must not go on
 *     an idle pooled one ({@link RetryDecision#needsNewConnection})
 * @param h2cClient HTTP/2 with prior knowledge, for clusters with {@code protocol: h2c}
 * @param tls each TLS cluster's own client, by cluster name; replaced on the loop by a reload before the
 *     clusters it belongs to
 */
record RouterContext(Vertx vertx, ContextInternal context, HttpClient client, HttpClient oneShotClient,
                     HttpClient h2cClient, Map<String, TlsClient> tls, Map<Endpoint, SocketAddress> addresses) {

  /** Endpoints whose address is kept: more are a config churning through endpoints, and the cache starts over. */
  private static final int MAX_ADDRESSES = 4096;

  RouterContext(Vertx vertx, ContextInternal context, HttpClient client, HttpClient oneShotClient,
                HttpClient h2cClient, Map<String, TlsClient> tls) {
    this(vertx, context, client, oneShotClient, h2cClient, tls, new HashMap<>());
  }

  /** A TLS cluster's settings and the clients made from them: pooled, and one-shot as {@link #oneShotClient}. */
  record TlsClient(UpstreamTls settings, HttpClient client, HttpClient oneShot) {
  }

  /** The client that speaks to {@code cluster}. */
  HttpClient client(ClusterConfig cluster) {
    return client(cluster, false);
  }

  /** The same; with {@code newConnection} (HTTP/1 clusters only), the one-shot client. */
  HttpClient client(ClusterConfig cluster, boolean newConnection) {
    TlsClient own = tls.get(cluster.name());
    if (own != null) {
      return newConnection ? own.oneShot() : own.client();
    }
    return cluster.protocol() == UpstreamProtocol.H2C ? h2cClient : newConnection ? oneShotClient : client;
  }

  /** Where a request to {@code endpoint} of {@code cluster} connects, and, with TLS, the name it is for. */
  RequestOptions connectTo(ClusterConfig cluster, Endpoint endpoint) {
    RequestOptions options = new RequestOptions()
        .setServer(address(endpoint))
        .setConnectTimeout(cluster.connectTimeout().toMillis());
    TlsClient own = tls.get(cluster.name());
    if (own != null) {
      // Vert.x sends the request's host as SNI and checks the certificate against it; the Host header is set to
      // the client's authority once the request has its stream.
      options.setHost(own.settings().serverName(endpoint)).setPort(endpoint.port());
    }
    return options;
  }

  /**
   * The endpoint's socket address, made once: making it parses an IP literal into an {@code InetAddress} (~360 B per
   * request). Loop thread only, as every exchange of the instance.
   */
  private SocketAddress address(Endpoint endpoint) {
    SocketAddress address = addresses.get(endpoint);
    if (address == null) {
      if (addresses.size() >= MAX_ADDRESSES) {
        addresses.clear();
      }
      address = SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host());
      addresses.put(endpoint, address);
    }
    return address;
  }
}
