package io.ringway.http.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.testkit.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.ServerSSLOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two loops' instances of one TLS listener share a Vert.x server and update its TLS options at the same
 * moment, as they do when they start and when the files change. Calling Vert.x 5.0.10's
 * {@code updateSSLOptions} directly so fails with a StackOverflowError in the first round here.
 */
class ListenerTlsUpdateTest {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void simultaneousUpdatesOfOneSharedServerFromTwoLoopsAllSucceed() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create();
    HttpServerOptions options = new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions())
        .setHost("127.0.0.1");
    List<ContextInternal> loops = List.of(((VertxInternal) vertx).createEventLoopContext(),
        ((VertxInternal) vertx).createEventLoopContext());
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    List<HttpServer> servers = new ArrayList<>();
    for (ContextInternal loop : loops) {
      servers.add(onLoop(loop, () -> vertx.createHttpServer(options).requestHandler(r -> r.response().end())
          .listen(port)));
    }
    ServerSSLOptions ssl = new ServerSSLOptions().setKeyCertOptions(cert.keyCertOptions());

    for (int round = 0; round < 50; round++) {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Boolean>> updates = new ArrayList<>();
      for (int i = 0; i < loops.size(); i++) {
        HttpServer server = servers.get(i);
        updates.add(onLoopAfter(go, loops.get(i), () -> ListenerTls.updateSslOptions(vertx, server, ssl)));
      }
      go.countDown();
      for (CompletableFuture<Boolean> update : updates) {
        assertThat(update.get(10, TimeUnit.SECONDS)).as("round %d", round).isNotNull();
      }
    }
  }

  private static <T> T onLoop(ContextInternal loop, java.util.function.Supplier<Future<T>> action) throws Exception {
    return onLoopAfter(new CountDownLatch(0), loop, action).get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on {@code loop} once {@code go} opens, so two loops start it at the same moment. */
  private static <T> CompletableFuture<T> onLoopAfter(CountDownLatch go, ContextInternal loop,
      java.util.function.Supplier<Future<T>> action) {
    return OnContext.call(loop, () -> {
      go.await();
      return action.get();
    });
  }
}
