package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketEchoTest {

  /** Above the client's 64 KiB frame size, so the message travels in several frames. */
  private static final int BINARY = 200 << 10;
  private static final int TEXTS = 100;

  private final DemoFixture demo = new DemoFixture();
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    demo.start(1);
    client = demo.vertx.createWebSocketClient();
  }

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void everyMessageComesBackWholeInOrderAndOfItsKind() throws Exception {
    WebSocket socket = client.connect(demo.httpPort(), DemoFixture.HOST, "/ws").await(10, TimeUnit.SECONDS);
    List<Object> sent = new ArrayList<>();
    for (int i = 0; i < TEXTS; i++) {
      sent.add("message " + i + " ✓");
    }
    sent.add(TEXTS / 2, Buffer.buffer(DemoFixture.randomBytes(BINARY)));
    List<Object> echoed = new CopyOnWriteArrayList<>();
    Promise<Void> all = Promise.promise();
    socket.textMessageHandler(text -> received(echoed, text, sent.size(), all));
    socket.binaryMessageHandler(bytes -> received(echoed, bytes, sent.size(), all));

    for (Object message : sent) {
      if (message instanceof String text) {
        socket.writeTextMessage(text);
      } else {
        socket.writeBinaryMessage((Buffer) message);
      }
    }
    all.future().await(20, TimeUnit.SECONDS);
    socket.close().await(10, TimeUnit.SECONDS);

    assertThat(echoed).containsExactlyElementsOf(sent);
  }

  @Test
  void withoutAnUpgradeGetIs400AndOtherMethodsAre405() throws Exception {
    WebClient http = WebClient.create(demo.vertx);

    assertThat(http.get(demo.httpPort(), DemoFixture.HOST, "/ws").send().await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(400);
    assertThat(http.post(demo.httpPort(), DemoFixture.HOST, "/ws").send().await(10, TimeUnit.SECONDS).statusCode())
        .isEqualTo(405);
  }

  private static void received(List<Object> echoed, Object message, int expected, Promise<Void> all) {
    echoed.add(message);
    if (echoed.size() == expected) {
      all.tryComplete();
    }
  }
}
