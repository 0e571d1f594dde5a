package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that shut their sending side after their requests (RFC 9112 §9.6; {@code nc -N}, socat), with HAProxy as
 * the oracle: the same bytes to both, the same answers back (their status codes, in order) or the same silence, and
 * the connection closed by the server within the read timeout. nginx is no oracle here: it closes such a connection
 * unanswered ("client prematurely closed connection") whatever it holds. Some cases are left out, each tested in
 * {@link Http1ConformanceTest}, because HAProxy's answer to them is not the same from one run to the next or differs on
 * purpose. Whole requests pipelined behind one another: HAProxy answers all of them in most runs, only the first in
 * some; the router answers all, in order. A request refused (400) pipelined behind a valid one: HAProxy answers the
 * valid one, and the refusal only at times; the router answers the refusal too, in its turn, as it does on a
 * connection still open both ways. A body the end of input cut short: both abort it, and relay whatever the server
 * answered to the part forwarded before the end of input was read (an echo's 200 with half a body, or nothing).
 * HAProxy answers 400 to a connection that sent nothing at all; the router closes it quietly, as nginx does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HalfClosedClientTest {

  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

  private RouterFixture fixture;
  private Backend backend;
  private PeerProxy haproxy;

  /** The decoding path here; the byte-level path in the subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  @BeforeAll
  void start() throws Exception {
    PeerProxy.require("haproxy");
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    fixture.start(List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
    haproxy = PeerProxy.haproxy(backend.port, 10_000, Files.createTempDirectory("ringway-half-closed"));
  }

  @AfterAll
  void stop() throws Exception {
    if (haproxy != null) {
      haproxy.close();
    }
    if (backend != null) {
      backend.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n"})
  void answeredAsHaproxyAnswers(String bytes) throws Exception {
    String peer = RawHttp.exchangeHalfClosed(haproxy.port, bytes);
    String router = RawHttp.exchangeHalfClosed(fixture.port, bytes);
    assertThat(peer).as("HAProxy's answer to %s", bytes).doesNotContain("<timeout>");
    assertThat(router).as("the router's answer to %s", bytes).doesNotContain("<timeout>");
    assertThat(statusCodes(router)).as("the router's answers to %s: %s\nHAProxy's: %s", bytes, router, peer)
        .isEqualTo(statusCodes(peer));
  }

  private static List<String> statusCodes(String response) {
    List<String> codes = new ArrayList<>();
    Matcher status = STATUS_LINE.matcher(response);
    while (status.find()) {
      codes.add(status.group(1));
    }
    return codes;
  }
}
