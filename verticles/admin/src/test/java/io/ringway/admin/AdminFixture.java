package io.ringway.admin;

import io.ringway.spi.Addresses;
import io.ringway.spi.NodeInfo;
import io.ringway.spi.NodePhase;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.message.MessageCodecs;
import io.ringway.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** A real Vert.x with the admin API on a free loopback port, and a WebClient to call it. */
final class AdminFixture implements AutoCloseable {

  static final String HOST = "127.0.0.1";

  final Vertx vertx = Vertx.vertx();
  final int port = Ports.freeTcpPort();
  final WebClient client = WebClient.create(vertx);

  AdminFixture() {
    MessageCodecs.registerAll(vertx);
  }

  /** Deploys the admin API with this token ({@code null} for none). */
  AdminFixture start(String token) throws Exception {
    vertx.deployVerticle(new AdminVerticle(new AdminConfig(HOST, port, token))).await(10, TimeUnit.SECONDS);
    return this;
  }

  /** Answers {@link Addresses#NODE_INFO} as the launcher does, with whatever the supplier says now. */
  void answerNodeInfo(Supplier<NodeInfo> info) {
    vertx.eventBus().consumer(Addresses.NODE_INFO, message -> message.reply(info.get()));
  }

  static NodeInfo info(NodePhase phase, Instant startedAt) {
    return new NodeInfo("1.2.3", "io_uring", 4, 7, startedAt, phase, "[1, 0]", java.util.List.of(
        new io.ringway.spi.LoopPlacement("vert.x-eventloop-thread-0", "1"),
        new io.ringway.spi.LoopPlacement("vert.x-eventloop-thread-1", "0")));
  }

  HttpResponse<Buffer> get(String path) throws Exception {
    return call(HttpMethod.GET, path, request -> request);
  }

  HttpResponse<Buffer> call(HttpMethod method, String path, UnaryOperator<HttpRequest<Buffer>> customize) throws Exception {
    return customize.apply(client.request(method, port, HOST, path)).send().await(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
