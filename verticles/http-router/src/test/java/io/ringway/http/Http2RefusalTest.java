package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams Netty's HTTP/2 codec refuses on its own (over {@code maxConcurrentStreams}, malformed) are counted in
 * the listener's stats and never reach the backend. The client writes raw frames: a well-behaved client never
 * opens more streams than the server's SETTINGS allow.
 */
class Http2RefusalTest {

  private static final int MAX_STREAMS = 2;

  private RouterFixture fixture;
  private Backend backend;

  private void start(String transport) throws Exception {
    fixture = transport.equals("epoll") ? RouterFixture.epoll() : RouterFixture.ioUring();
    backend = new Backend(fixture.vertx, "b");
    HttpListenerConfig base = RouterFixture.listener(Ports.freeTcpPort());
    HttpListenerConfig listener = new HttpListenerConfig(base.name(), base.host(), base.port(), true,
        base.maxHeaderBytes(), base.maxBodyBytes(), base.headerReadTimeout(), base.idleTimeout(), MAX_STREAMS, HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void streamsOverTheLimitAreRefusedAndCounted(String transport) throws Exception {
    start(transport);
    try (RawH2 h2 = new RawH2(fixture.port)) {
      // /slow never answers, so the first MAX_STREAMS stay open while the rest arrive.
      for (int stream = 1; stream <= 2 * (MAX_STREAMS + 3) - 1; stream += 2) {
        h2.get(stream, h2.pathBlock("/slow"));
      }
      List<Integer> refused = h2.resets(3, 0x7);
      assertThat(refused).containsExactly(5, 7, 9);
      // While the connection is open: closing it cancels the open streams, maybe before they went upstream.
      Eventually.await("the streams within the limit forwarded", Duration.ofSeconds(5),
          () -> backend.seen.get() == MAX_STREAMS);
      Thread.sleep(200);
      assertThat(backend.seen).as("only those").hasValue(MAX_STREAMS);
    }
    Eventually.await("3 refused streams counted", Duration.ofSeconds(5), () -> listener().getLong("refusedStreams") == 3);
    assertThat(listener().getLong("streamErrors")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aMalformedStreamIsResetAndCounted(String transport) throws Exception {
    start(transport);
    try (RawH2 h2 = new RawH2(fixture.port)) {
      ByteArrayOutputStream block = h2.pathBlock("/");
      // A literal header with an upper-case name: malformed in HTTP/2 (RFC 9113, 8.2.1).
      block.write(0x00);
      RawH2.string(block, "X-Upper");
      RawH2.string(block, "1");
      h2.get(1, block);
      assertThat(h2.resets(1, 0x1)).containsExactly(1);
    }
    Eventually.await("the malformed stream counted", Duration.ofSeconds(5),
        () -> listener().getLong("streamErrors") == 1);
    assertThat(listener().getLong("refusedStreams")).isZero();
    assertThat(backend.seen).hasValue(0);
  }

  private JsonObject listener() {
    return fixture.listenerStats();
  }
}
