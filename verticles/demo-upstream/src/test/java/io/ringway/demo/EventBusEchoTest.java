package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service behind a {@code target: eventbus:ringway.demo.echo} route, fed the router's request message. */
class EventBusEchoTest {

  private final DemoFixture demo = new DemoFixture();

  @BeforeEach
  void start() throws Exception {
    demo.start(2);
  }

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void repliesWith200TheBodyUnchangedAndTheRequestsContentType() throws Exception {
    String body = "é".repeat(2048);
    JsonObject headers = new JsonObject().put("content-type", "application/x-ringway-test").put("host", "demo");

    JsonObject reply = ask(routerMessage("POST", headers, body));

    assertThat(reply.getInteger("status")).isEqualTo(200);
    assertThat(reply.getJsonObject("headers").getString("content-type")).isEqualTo("application/x-ringway-test");
    assertThat(reply.getString("body")).isEqualTo(body);
  }

  @Test
  void withoutOneContentTypeTheReplyIsPlainText() throws Exception {
    JsonObject none = ask(routerMessage("GET", new JsonObject(), ""));
    JsonObject twice = ask(routerMessage("POST",
        new JsonObject().put("content-type", new JsonArray().add("text/html").add("text/csv")), "a"));

    assertThat(none.getString("body")).isEmpty();
    for (JsonObject reply : new JsonObject[] {none, twice}) {
      assertThat(reply.getInteger("status")).isEqualTo(200);
      assertThat(reply.getJsonObject("headers").getString("content-type")).isEqualTo("text/plain; charset=utf-8");
    }
  }

  @Test
  void whatIsNotTheRoutersMessageFailsWith400() {
    assertThatThrownBy(() -> demo.vertx.eventBus().request(DemoUpstreamVerticle.ECHO_ADDRESS, "hello")
        .await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ReplyException.class, failure -> assertThat(failure.failureCode()).isEqualTo(400));
  }

  /** The shape the router's event-bus action sends (see EventBusAction). */
  private static JsonObject routerMessage(String method, JsonObject headers, String body) {
    return new JsonObject().put("method", method).put("path", "/bus/echo").put("query", null)
        .put("headers", headers).put("body", body);
  }

  private JsonObject ask(JsonObject message) throws Exception {
    Message<Object> reply = demo.vertx.eventBus().request(DemoUpstreamVerticle.ECHO_ADDRESS, message)
        .await(10, TimeUnit.SECONDS);
    return (JsonObject) reply.body();
  }
}
