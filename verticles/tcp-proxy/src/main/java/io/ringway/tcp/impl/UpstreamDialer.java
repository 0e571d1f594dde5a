package io.ringway.tcp.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.Refusal;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the upstream side of a connection: picks an endpoint, connects within the timeout, and on a
 * failed connect tries endpoints not yet tried, up to the listener's retries. Every attempt holds a
 * lease, ended as connected or failed, so outlier detection and least-request balancing see it.
 */
final class UpstreamDialer {

  /** An open upstream socket and the lease that counts it against its endpoint. */
  record Dialed(NetSocketInternal socket, EndpointLease lease) {
  }

  /** No endpoint could be had at all: the cluster refused before any connect. */
  static final class NoEndpoint extends VertxException {
    NoEndpoint(String cluster, Refusal refusal) {
      super("cluster " + cluster + ": " + refusal, true);
    }
  }

  private final NetClient client;

  UpstreamDialer(NetClient client) {
    this.client = client;
  }

  /**
   * Connects on the caller's context, so the upstream socket lives on the caller's event loop.
   *
   * @param hashKey the consistent-hash key: the client's address
   * @param retries further endpoints to try after a failed connect
   * @param failures counts every failed attempt
   */
  Future<Dialed> dial(UpstreamCluster cluster, String hashKey, int retries, Duration timeout, Runnable failures) {
    Promise<Dialed> dialed = Promise.promise();
    attempt(cluster, hashKey, List.of(), retries, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()), failures,
        null, dialed);
    return dialed.future();
  }

  private void attempt(UpstreamCluster cluster, String hashKey, List<Endpoint> tried, int retriesLeft, int timeoutMillis,
                       Runnable failures, Throwable lastFailure, Promise<Dialed> dialed) {
    switch (cluster.pick(hashKey, tried)) {
      case Refusal refusal -> dialed.fail(lastFailure != null && refusal == Refusal.ALL_TRIED
          ? lastFailure : new NoEndpoint(cluster.name(), refusal));
      case EndpointLease lease -> {
        Endpoint endpoint = lease.endpoint();
        ConnectOptions options = new ConnectOptions().setHost(endpoint.host()).setPort(endpoint.port())
            .setTimeout(timeoutMillis);
        client.connect(options).onComplete(connected -> {
          if (connected.succeeded()) {
            lease.connected();
            dialed.complete(new Dialed((NetSocketInternal) connected.result(), lease));
            return;
          }
          lease.connectFailed(connected.cause());
          failures.run();
          if (retriesLeft <= 0) {
            dialed.fail(connected.cause());
            return;
          }
          List<Endpoint> triedNow = new ArrayList<>(tried);
          triedNow.add(endpoint);
          attempt(cluster, hashKey, triedNow, retriesLeft - 1, timeoutMillis, failures, connected.cause(), dialed);
        });
      }
    }
  }
}
