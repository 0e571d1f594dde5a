package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.ringway.testkit.Ports;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** WebSocket upgrades pass through the router to a Vert.x WebSocket echo server, on io_uring. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketTest {

  private RouterFixture fixture;
  private WebSocketClient client;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    HttpServer echo = fixture.vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketMessageSize(4 * 1024 * 1024))
        .webSocketHandshakeHandler(handshake -> {
          if (handshake.path().equals("/forbidden")) {
            handshake.reject(403);
          } else {
            handshake.accept();
          }
        })
        .webSocketHandler(ws -> ws
            .textMessageHandler(text -> ws.writeTextMessage("echo " + text + " on " + ws.path() + " for "
                + ws.headers().get("x-forwarded-for")))
            .binaryMessageHandler(ws::writeBinaryMessage))
        .requestHandler(request -> request.response().end("plain"))
        .listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    fixture.start(1, RouterFixture.listener(Ports.freeTcpPort()),
        List.of(ClusterConfig.of("ws", List.of(Endpoint.of(RouterFixture.HOST, echo.actualPort())))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("ws"))));
    client = fixture.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(4 * 1024 * 1024));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void textAndLargeBinaryMessagesEchoThroughTheRouter() throws Exception {
    WebSocket ws = connect("/chat");
    assertThat(roundTrip(ws, () -> ws.writeTextMessage("hello")).toString()).isEqualTo("echo hello on /chat for 127.0.0.1");

    byte[] payload = new byte[1024 * 1024];
    new Random(3).nextBytes(payload);
    Buffer back = roundTrip(ws, () -> ws.writeBinaryMessage(Buffer.buffer(payload)));
    assertThat(back.getBytes()).isEqualTo(payload);
    ws.close().await(5, TimeUnit.SECONDS);

    JsonObject route = fixture.stats().getJsonArray("routes").getJsonObject(0);
    assertThat(route.getLong("upgrades")).isGreaterThanOrEqualTo(1L);
    assertThat(route.getLong("1xx")).isGreaterThanOrEqualTo(1L);
  }

  @Test
  void aRefusedUpgradeIsRelayedAsTheUpstreamAnsweredIt() {
    assertThatThrownBy(() -> connect("/forbidden"))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(UpgradeRejectedException.class)
        .extracting(e -> ((UpgradeRejectedException) e).getStatus()).isEqualTo(403);
  }

  @Test
  void plainRequestsStillGoThrough() throws Exception {
    Reply reply = Reply.send(fixture.context, fixture.client, new io.vertx.core.http.RequestOptions()
        .setHost(RouterFixture.HOST).setPort(fixture.port).setURI("/"), null);
    assertThat(reply.text()).isEqualTo("plain");
  }

  private WebSocket connect(String path) throws Exception {
    Promise<WebSocket> connected = Promise.promise();
    fixture.context.runOnContext(v -> client.connect(fixture.port, RouterFixture.HOST, path).onComplete(connected));
    return connected.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Sends one message and returns the whole next message received, reassembled from its frames. */
  private Buffer roundTrip(WebSocket ws, Runnable send) throws Exception {
    Promise<Buffer> received = Promise.promise();
    fixture.context.runOnContext(v -> {
      ws.binaryMessageHandler(received::tryComplete);
      ws.textMessageHandler(text -> received.tryComplete(Buffer.buffer(text)));
      send.run();
    });
    return received.future().await(10, TimeUnit.SECONDS);
  }
}
