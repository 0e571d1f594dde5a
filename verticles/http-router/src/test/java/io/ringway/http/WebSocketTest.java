package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.PathMatch;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
    // An endpoint that offers no compression: its 101 carries no Sec-WebSocket-Extensions.
    HttpServer uncompressed = fixture.vertx.createHttpServer(new HttpServerOptions()
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage("plain " + text)))
        .listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    fixture.start(1, RouterFixture.listener(Ports.freeTcpPort()),
        List.of(ClusterConfig.of("ws", List.of(Endpoint.of(RouterFixture.HOST, echo.actualPort()))),
            ClusterConfig.of("uncompressed", List.of(Endpoint.of(RouterFixture.HOST, uncompressed.actualPort())))),
        List.of(new RouteConfig("uncompressed", RouteMatch.path(PathMatch.prefix("/uncompressed")),
                ForwardAction.to("uncompressed")),
            new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("ws"))));
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

    JsonObject route = fixture.stats().getJsonArray("routes").getJsonObject(1);
    assertThat(route.getString("route")).isEqualTo("all");
    assertThat(route.getLong("upgrades")).isGreaterThanOrEqualTo(1L);
    assertThat(route.getLong("1xx")).isGreaterThanOrEqualTo(1L);
  }

  /**
   * The extensions of a proxied WebSocket are the endpoint's to accept: a 101 that names one the endpoint did not
   * accept makes the client send frames (compressed, RSV1 set) the endpoint must fail the connection on.
   */
  @Test
  void anExtensionTheEndpointDidNotAcceptIsNotAddedToItsAnswer() throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /uncompressed HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = RawHttp.readUntil(in, "\r\n\r\n");

      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
          .doesNotContainIgnoringCase("sec-websocket-extensions");
      // An uncompressed text frame, masked as a client's must be, reaches the endpoint and its answer comes back.
      byte[] mask = {1, 2, 3, 4};
      byte[] text = "hi".getBytes(StandardCharsets.US_ASCII);
      out.write(new byte[] {(byte) 0x81, (byte) (0x80 | text.length), mask[0], mask[1], mask[2], mask[3],
          (byte) (text[0] ^ mask[0]), (byte) (text[1] ^ mask[1])});
      byte[] frame = in.readNBytes(2 + "plain hi".length());
      assertThat(frame[0]).as("FIN, text, no RSV bit").isEqualTo((byte) 0x81);
      assertThat(new String(frame, 2, frame.length - 2, StandardCharsets.US_ASCII)).isEqualTo("plain hi");
    }
  }

  @Test
  void compressionTheEndpointAcceptedIsNegotiatedOnceAndWorks() throws Exception {
    WebSocketClient compressing = fixture.vertx.createWebSocketClient(
        new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    Promise<WebSocket> connected = Promise.promise();
    fixture.context.runOnContext(v -> compressing.connect(fixture.port, RouterFixture.HOST, "/deflate").onComplete(connected));
    WebSocket ws = connected.future().await(10, TimeUnit.SECONDS);

    assertThat(ws.headers().getAll("sec-websocket-extensions")).singleElement().asString()
        .startsWith("permessage-deflate").doesNotContain(",");
    String long_ = "compressible ".repeat(200);
    assertThat(roundTrip(ws, () -> ws.writeTextMessage(long_)).toString())
        .isEqualTo("echo " + long_ + " on /deflate for 127.0.0.1");
    ws.close().await(5, TimeUnit.SECONDS);
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
