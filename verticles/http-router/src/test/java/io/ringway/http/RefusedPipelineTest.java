package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.spi.upstream.Endpoint;
import io.vertx.core.http.HttpServer;
import io.ringway.testkit.Ports;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request pipelined behind one the strict decoder refuses is never forwarded. The decoder refuses
 * obs-fold and Transfer-Encoding other than chunked after Netty decoded the head, so Netty goes on
 * decoding what follows (StrictRequestDecoderFuzzTest#nothingDecodesAfterARefusedHead); the router
 * must answer 400 and close before any later request reaches a backend.
 *
 * <p>Found by the HTTP/1 fuzz target, which failed about two runs in three: {@code GET /next} reached the
 * backend (a smuggled request), and Vert.x logged an NPE from its exceptionCaught
 * ({@code Http1xServerResponse.ended()} on a null response). StrictRequestDecoder now reads nothing after a
 * refusal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedPipelineTest {

  /** The fixture this class runs on: io_uring here, the byte-level HTTP/1 path in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  private RouterFixture fixture;
  /** What the backend was asked for, in order. */
  private final List<String> forwarded = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    HttpServer backend = fixture.vertx.createHttpServer().requestHandler(request -> {
      forwarded.add(request.method() + " " + request.uri());
      request.response().end("ok");
    }).listen(0, RouterFixture.HOST).await(10, TimeUnit.SECONDS);
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), false, 1024, 64, Duration.ofMillis(500), Duration.ofSeconds(30), 100, HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(Endpoint.of(RouterFixture.HOST, backend.actualPort())))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void reset() {
    forwarded.clear();
  }

  static Stream<Arguments> pipelines() {
    return Stream.of(
        Arguments.of(List.of(), "GET /refused HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(List.of(), "POST /refused HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(List.of("GET /first"), "GET /first HTTP/1.1\r\nHost: h\r\n\r\n"
            + "GET /refused HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
        Arguments.of(List.of("GET /first"), "GET /first HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /refused HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"));
  }

  @ParameterizedTest
  @MethodSource("pipelines")
  void aRequestPipelinedBehindARefusedOneIsNeverForwarded(List<String> valid, String pipeline) throws Exception {
    String response = RawHttp.exchange(fixture.port, pipeline);
    assertThat(response).endsWith("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    assertThat(response.split("HTTP/1.1 200", -1)).as(response).hasSize(valid.size() + 1);
    assertThat(forwarded).as("requests the backend saw").isEqualTo(valid);
  }
}
