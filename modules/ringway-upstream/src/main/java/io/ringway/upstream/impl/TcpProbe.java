package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.ringway.upstream.UpstreamTls;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * One health probe over a real TCP connection: connect, optionally send, optionally read until the
 * expected prefix is seen or contradicted, all within the timeout. The connection never outlives the
 * probe. For a TLS cluster the connection is TLS, made with the cluster's checks: an endpoint whose
 * certificate the router would refuse is not healthy.
 */
final class TcpProbe implements Probe {

  private final Vertx vertx;
  private final NetClient client;
  private final long timeoutMillis;
  private final Buffer send;
  private final byte[] expect;
  /** The cluster's TLS (the client was made from it), or null for a cleartext cluster. */
  private final UpstreamTls tls;

  TcpProbe(Vertx vertx, NetClient client, HealthCheckConfig config, UpstreamTls tls) {
    this.vertx = vertx;
    this.tls = tls;
    this.client = client;
    this.timeoutMillis = Math.max(1, config.timeout().toMillis());
    this.send = config.send() == null ? null : Buffer.buffer(config.send().bytes());
    this.expect = config.expect() == null ? null : config.expect().bytes();
  }

  @Override
  public Future<Void> run(Endpoint endpoint) {
    Promise<Void> verdict = Promise.promise();
    long timer = vertx.setTimer(timeoutMillis, id -> verdict.tryFail("timeout after " + timeoutMillis + " ms"));
    ConnectOptions target = new ConnectOptions()
        .setRemoteAddress(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()));
    if (tls != null) {
      // As the router's requests: the certificate must name this host, sent as SNI when it is a DNS name.
      target.setSsl(true).setHost(tls.serverName(endpoint)).setPort(endpoint.port());
    }
    client.connect(target).onComplete(connected -> {
      if (connected.failed()) {
        verdict.tryFail(describe(connected.cause()));
        return;
      }
      NetSocket socket = connected.result();
      verdict.future().onComplete(done -> socket.close());
      if (verdict.future().isComplete()) {
        return;
      }
      exchange(socket, verdict);
    });
    return verdict.future().andThen(done -> vertx.cancelTimer(timer));
  }

  private void exchange(NetSocket socket, Promise<Void> verdict) {
    if (expect != null) {
      Buffer received = Buffer.buffer();
      socket.handler(data -> {
        received.appendBuffer(data);
        int compared = Math.min(received.length(), expect.length);
        for (int i = 0; i < compared; i++) {
          if (received.getByte(i) != expect[i]) {
            verdict.tryFail("unexpected response");
            return;
          }
        }
        if (compared == expect.length) {
          verdict.tryComplete();
        }
      });
      socket.closeHandler(v -> verdict.tryFail("closed before the expected response"));
    }
    socket.exceptionHandler(e -> verdict.tryFail(describe(e)));
    Future<Void> sent = send == null ? Future.succeededFuture() : socket.write(send.copy());
    sent.onComplete(written -> {
      if (written.failed()) {
        verdict.tryFail(describe(written.cause()));
      } else if (expect == null) {
        verdict.tryComplete();
      }
    });
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
