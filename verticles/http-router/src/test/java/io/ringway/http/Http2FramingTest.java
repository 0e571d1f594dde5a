package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.http.RawH2.Frame;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frames an HTTP/2 client gets for a proxied response, read raw: a body of known length ends the stream on its
 * last DATA frame, so the response costs one write, not a second one for an empty END_STREAM frame.
 */
class Http2FramingTest {

  private RouterFixture fixture;

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aBodyOfKnownLengthEndsTheStreamOnItsLastDataFrame(String transport) throws Exception {
    start(transport);

    try (RawH2 h2 = new RawH2(fixture.port)) {
      h2.get(1, h2.pathBlock("/"));
      List<Frame> frames = h2.frames(1);

      assertThat(frames).extracting(Frame::type).containsExactly(RawH2.TYPE_HEADERS, RawH2.TYPE_DATA);
      Frame body = frames.get(1);
      assertThat(body.length()).as("the body, \"backend-b\"").isEqualTo("backend-b".length());
      assertThat(body.flags() & RawH2.FLAG_END_STREAM).as("END_STREAM on the body's frame").isNotZero();
    }
  }

  /**
   * An HTTP/2 client that shuts its sending side is closed at once, as before the router let HTTP/1 clients half-close
   * (the end of input now reaches the connection's handlers, and HTTP/2's must close it, not wait for the idle timeout).
   */
  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll"})
  void aClientThatShutsItsSendingSideIsClosed(String transport) throws Exception {
    start(transport);

    try (RawH2 h2 = new RawH2(fixture.port)) {
      h2.shutdownOutput();
      // Read times out (an exception) after 5 s if the connection stays open.
      assertThat(h2.closedByServer()).isTrue();
    }
  }

  /** A router on {@code transport} whose one route forwards everything to a backend named backend-b. */
  private void start(String transport) throws Exception {
    fixture = transport.equals("epoll") ? RouterFixture.epoll() : RouterFixture.ioUring();
    Backend backend = new Backend(fixture.vertx, "backend-b");
    fixture.start(List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }
}
