package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.spi.upstream.HealthCheckConfig;
import io.ringway.upstream.UpstreamTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The gRPC health checking protocol (grpc/doc/health-checking.md): {@code grpc.health.v1.Health/Check} over h2c with
 * prior knowledge, or, for a cluster with {@code tls}, over HTTP/2 in TLS with the cluster's checks (ALPN h2), passing
 * only when the answer is {@code SERVING} with {@code grpc-status: 0}. The two messages
 * are one string field and one enum field, so they are written and read here by hand, without protobuf.
 */
final class GrpcProbe implements Probe {

  private static final String PATH = "/grpc.health.v1.Health/Check";
  /** HealthCheckResponse.status: field 1, varint. */
  private static final int STATUS_TAG = 0x08;
  private static final int SERVING = 1;
  private static final String[] STATUS_NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

  private final HttpClient client;
  private final long timeoutMillis;
  private final Buffer request;
  private final UpstreamTls tls;

  /** @param tls the cluster's TLS with its files read, or null for h2c */
  GrpcProbe(Vertx vertx, HealthCheckConfig config, UpstreamTls tls) {
    this.timeoutMillis = Math.max(1, config.timeout().toMillis());
    this.tls = tls;
    // gRPC is HTTP/2 whatever the cluster's protocol says for other traffic, so in TLS it is asked for by ALPN.
    HttpClientOptions options = tls == null ? new HttpClientOptions().setHttp2ClearTextUpgrade(false)
        : tls.clientOptions().setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2));
    this.client = vertx.createHttpClient(options.setProtocolVersion(HttpVersion.HTTP_2)
            .setConnectTimeout((int) timeoutMillis), new PoolOptions().setHttp2MaxSize(1));
    this.request = frame(healthCheckRequest(config.grpcService()));
  }

  @Override
  public Future<Void> run(Endpoint endpoint) {
    // As the router's requests: with TLS the certificate must name the cluster's server name, sent as SNI.
    return client.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(endpoint.port(), endpoint.host()))
            .setHost(tls != null ? tls.serverName(endpoint) : endpoint.host())
            .setPort(endpoint.port()).setURI(PATH).setTimeout(timeoutMillis)
            .putHeader("content-type", "application/grpc").putHeader("te", "trailers"))
        .compose(call -> call.send(request.copy()))
        .compose(response -> response.body().compose(body -> judge(response, body)));
  }

  private static Future<Void> judge(HttpClientResponse response, Buffer body) {
    if (response.statusCode() != 200) {
      return Future.failedFuture("gRPC health check: HTTP " + response.statusCode());
    }
    // Trailers-Only answers carry grpc-status in the headers.
    String status = response.trailers().get("grpc-status");
    if (status == null) {
      status = response.getHeader("grpc-status");
    }
    if (!"0".equals(status)) {
      return Future.failedFuture("gRPC health check: grpc-status " + status
          + (status != null && status.equals("12") ? " (UNIMPLEMENTED: the server has no health service)" : ""));
    }
    int serving = servingStatus(body);
    return serving == SERVING ? Future.succeededFuture()
        : Future.failedFuture("gRPC health check: " + (serving >= 0 && serving < STATUS_NAMES.length
            ? STATUS_NAMES[serving] : "status " + serving));
  }

  /** The status field of the first message in {@code body}; 0 (UNKNOWN) when absent, -1 when malformed. */
  static int servingStatus(Buffer body) {
    if (body.length() < 5 || body.getByte(0) != 0) {
      return -1; // no message, or a compressed one (never asked for)
    }
    long length = body.getUnsignedInt(1);
    if (length > body.length() - 5) {
      return -1;
    }
    int end = 5 + (int) length;
    int at = 5;
    int status = 0;
    while (at < end) {
      int tag = body.getUnsignedByte(at++);
      int wireType = tag & 7;
      if (wireType == 0) {
        long value = 0;
        for (int shift = 0; at < end && shift < 64; shift += 7) {
          int b = body.getUnsignedByte(at++);
          value |= (long) (b & 0x7f) << shift;
          if ((b & 0x80) == 0) {
            break;
          }
        }
        if (tag == STATUS_TAG) {
          status = (int) value;
        }
      } else if (wireType == 2 && at < end) {
        at += body.getUnsignedByte(at) + 1; // short fields only: a health response has none longer
      } else {
        return -1;
      }
    }
    return status;
  }

  /** HealthCheckRequest{service}: field 1, length-delimited; empty for the whole server. */
  private static Buffer healthCheckRequest(String service) {
    byte[] name = service == null ? new byte[0] : service.getBytes(StandardCharsets.UTF_8);
    Buffer message = Buffer.buffer();
    if (name.length > 0) {
      message.appendByte((byte) 0x0a);
      int length = name.length;
      while (length >= 0x80) {
        message.appendByte((byte) (length & 0x7f | 0x80));
        length >>>= 7;
      }
      message.appendByte((byte) length).appendBytes(name);
    }
    return message;
  }

  /** gRPC's length-prefixed message: compressed flag 0, 4-byte big-endian length. */
  private static Buffer frame(Buffer message) {
    return Buffer.buffer().appendByte((byte) 0).appendUnsignedInt(message.length()).appendBuffer(message);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
