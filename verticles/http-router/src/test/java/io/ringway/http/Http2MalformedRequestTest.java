package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.http.RawH2.Frame;
import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed HTTP/2 requests (RFC 9113, 8.1.1, 8.2, 8.3) sent as raw frames over h2c: each is a stream error
 * PROTOCOL_ERROR, counted in {@code streamErrors}, and never reaches the backend as a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2MalformedRequestTest {

  RouterFixture fixture;
  private Backend backend;

  /** The fixture on the transport this class runs on: io_uring here, epoll in its subclass. */
  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  /** The listener under test: h2c here, h2 over TLS in a subclass. */
  io.ringway.spi.config.HttpListenerConfig listener(int port) throws Exception {
    return RouterFixture.listener(port);
  }

  /** A raw HTTP/2 connection to the listener, preface and SETTINGS exchanged. */
  RawH2 connect() throws java.io.IOException {
    return new RawH2(fixture.port);
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    // "dead" has an endpoint nothing listens on: its requests are answered by the router itself.
    fixture.start(1, listener(io.ringway.testkit.Ports.freeTcpPort()), List.of(ClusterConfig.of("b", List.of(backend.endpoint())),
            ClusterConfig.of("dead", List.of(io.ringway.spi.upstream.Endpoint.of(RouterFixture.HOST,
                io.ringway.testkit.Ports.freeTcpPort())))),
        List.of(new RouteConfig("dead", RouteMatch.path(new io.ringway.spi.config.PathMatch(
                io.ringway.spi.config.PathMatch.Kind.PREFIX, "/dead")), ForwardAction.to("dead")),
            new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void reset() throws InterruptedException {
    // A reset stream of the test before may still reach the backend's counters.
    Thread.sleep(100);
    backend.seen.set(0);
    backend.completed.set(0);
  }

  /** :method, :scheme, :authority and :path as literals, in that order. */
  static ByteArrayOutputStream request(String method, String path) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    RawH2.literal(block, ":method", method);
    RawH2.literal(block, ":scheme", "http");
    RawH2.literal(block, ":authority", "localhost");
    RawH2.literal(block, ":path", path);
    return block;
  }

  static ByteArrayOutputStream with(ByteArrayOutputStream block, String... fields) {
    for (int i = 0; i < fields.length; i += 2) {
      RawH2.literal(block, fields[i], fields[i + 1]);
    }
    return block;
  }

  static ByteArrayOutputStream fields(String... fields) {
    return with(new ByteArrayOutputStream(), fields);
  }

  static Stream<Arguments> malformedHeads() {
    return Stream.of(
        // 8.2.1: field values with CR, LF or NUL.
        Arguments.of("value with CR", with(request("GET", "/"), "x-a", "a\rb")),
        Arguments.of("value with LF", with(request("GET", "/"), "x-a", "a\nb")),
        Arguments.of("value with CRLF and a header", with(request("GET", "/"), "x-a", "a\r\nx-injected: 1")),
        Arguments.of("value with NUL", with(request("GET", "/"), "x-a", "a\0b")),
        Arguments.of("pseudo value with LF", fields(":method", "GET", ":scheme", "http", ":authority", "localhost",
            ":path", "/a\nb")),
        // 8.2.1: field names: upper case, characters outside a token.
        Arguments.of("name in upper case", with(request("GET", "/"), "X-Upper", "1")),
        Arguments.of("name with a space", with(request("GET", "/"), "x a", "1")),
        Arguments.of("name with a colon inside", with(request("GET", "/"), "x:a", "1")),
        Arguments.of("empty name", with(request("GET", "/"), "", "1")),
        Arguments.of("value with leading space", with(request("GET", "/"), "x-a", " 1")),
        Arguments.of("value with trailing tab", with(request("GET", "/"), "x-a", "1\t")),
        // 8.2.2: connection-specific fields.
        Arguments.of("connection", with(request("GET", "/"), "connection", "keep-alive")),
        Arguments.of("keep-alive", with(request("GET", "/"), "keep-alive", "timeout=5")),
        Arguments.of("proxy-connection", with(request("GET", "/"), "proxy-connection", "keep-alive")),
        Arguments.of("transfer-encoding", with(request("GET", "/"), "transfer-encoding", "chunked")),
        Arguments.of("upgrade", with(request("GET", "/"), "upgrade", "h2c")),
        Arguments.of("te other than trailers", with(request("GET", "/"), "te", "gzip")),
        // 8.3: pseudo-header fields.
        Arguments.of("no :method", fields(":scheme", "http", ":authority", "localhost", ":path", "/")),
        Arguments.of("no :scheme", fields(":method", "GET", ":authority", "localhost", ":path", "/")),
        Arguments.of("no :path", fields(":method", "GET", ":scheme", "http", ":authority", "localhost")),
        Arguments.of("two :path", with(request("GET", "/"), ":path", "/again")),
        Arguments.of("two :method", fields(":method", "GET", ":method", "GET", ":scheme", "http",
            ":authority", "localhost", ":path", "/")),
        Arguments.of("pseudo after regular", fields(":method", "GET", ":scheme", "http", "x-a", "1",
            ":authority", "localhost", ":path", "/")),
        Arguments.of("unknown pseudo", with(request("GET", "/"), ":foo", "1")),
        Arguments.of("response pseudo in a request", with(request("GET", "/"), ":status", "200")),
        Arguments.of("empty :path", request("GET", "")),
        // An HTTP/1 upstream cannot be sent these (Netty refused the request line; the exchange hung until the route's
        // timeout and left its upstream connection unusable).
        Arguments.of(":path with a space", request("GET", "/a b")),
        Arguments.of(":path without its slash", request("GET", "x")),
        Arguments.of(":path with a fragment", request("GET", "/a#b")),
        Arguments.of(":path with DEL", request("GET", "/a\u007fb")),
        Arguments.of(":path * for GET", request("GET", "*")),
        Arguments.of(":method with a space", request("G T", "/")),
        Arguments.of(":method with a slash", request("GET/", "/")),
        // RFC 9110, 4.2.1: an http URI with an empty host is invalid; 8.3.1: Host must agree with :authority.
        Arguments.of("empty :authority", fields(":method", "GET", ":scheme", "http", ":authority", "", ":path", "/")),
        Arguments.of(":authority not host[:port]", fields(":method", "GET", ":scheme", "http", ":authority", "a b",
            ":path", "/")),
        Arguments.of("host other than :authority", with(request("GET", "/"), "host", "elsewhere")),
        Arguments.of("host not host[:port]", fields(":method", "GET", ":scheme", "http", ":path", "/", "host", "a b")),
        // RFC 3986, 3.1: nginx and HAProxy answer each of these 400.
        Arguments.of(":scheme with a space", withScheme("ht tp")),
        Arguments.of(":scheme starting with a digit", withScheme("1http")),
        Arguments.of(":scheme with its colon", withScheme("http:")),
        Arguments.of(":scheme with a slash", withScheme("http/")),
        // Not malformed, but read as content-length / content-type by a Vert.x upstream (MisreadFieldNames).
        Arguments.of("content-nength", with(request("GET", "/"), "content-nength", "5")),
        Arguments.of("content-xype", with(request("GET", "/"), "content-xype", "text/plain")));
  }

  static ByteArrayOutputStream withScheme(String scheme) {
    return fields(":method", "GET", ":scheme", scheme, ":authority", "localhost", ":path", "/");
  }

  /** RFC 9113, 8.3.1: :scheme is not limited to http and https; the router forwards any scheme as nginx does. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"https", "HTTP", "ftp", "a+b.c-d9"})
  void anySchemeIsForwarded(String scheme) throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.END_STREAM_AND_HEADERS, withScheme(scheme).toByteArray());
      assertThat(h2.frames(1)).extracting(Frame::type).containsExactly(RawH2.TYPE_HEADERS, RawH2.TYPE_DATA);
    }
    assertThat(backend.seen).as("requests the backend saw").hasValue(1);
  }

  /**
   * Each malformed head ending its stream, and those the router checks also followed by a DATA frame, which the
   * server ignores. Not those Netty's HPACK decoder refuses (names, connection-specific fields, pseudo-header
   * order, and since Netty 4.2.18 values with CR, LF, NUL or a leading space): Netty resets such a stream without
   * creating it, and takes a DATA frame that follows on it for one on an idle stream, a connection error (GOAWAY
   * PROTOCOL_ERROR).
   */
  static Stream<Arguments> malformedRequests() {
    java.util.Set<String> checkedByNetty = java.util.Set.of("name in upper case", "empty name", "connection",
        "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te other than trailers", "no :method",
        "no :scheme", "no :path", "two :path", "two :method", "pseudo after regular", "unknown pseudo",
        "response pseudo in a request", "empty :path", "empty :authority", "value with CR", "value with LF",
        "value with CRLF and a header", "value with NUL", "pseudo value with LF", "name with a space",
        "name with a colon inside", "value with leading space", ":path with DEL");
    return malformedHeads().flatMap(head -> Stream.of(true, false)
        .filter(ends -> ends || !checkedByNetty.contains((String) head.get()[0]))
        .map(ends -> Arguments.of(head.get()[0], head.get()[1], ends)));
  }

  @ParameterizedTest(name = "{0}, end of stream {2}")
  @MethodSource("malformedRequests")
  void aMalformedRequestIsAStreamErrorAndNeverForwarded(String what, ByteArrayOutputStream block, boolean endOfStream)
      throws Exception {
    long before = listener().getLong("streamErrors");
    try (RawH2 h2 = connect()) {
      h2.headers(1, endOfStream ? RawH2.END_STREAM_AND_HEADERS : RawH2.FLAG_END_HEADERS, block.toByteArray());
      if (!endOfStream) {
        h2.data(1, RawH2.FLAG_END_STREAM, "abc".getBytes(StandardCharsets.US_ASCII));
      }
      List<Frame> frames = h2.frames(1);
      assertThat(frames).extracting(Frame::type).containsExactly(RawH2.TYPE_RST_STREAM);
      assertThat(frames.get(0).errorCode()).as("RST_STREAM error code").isEqualTo(RawH2.PROTOCOL_ERROR);
      // A stream error leaves the connection usable.
      h2.get(3, h2.pathBlock("/"));
      assertThat(h2.frames(3)).extracting(Frame::type).containsExactly(RawH2.TYPE_HEADERS, RawH2.TYPE_DATA);
    }
    assertThat(backend.seen).as("requests the backend saw").hasValue(1);
    // A DATA frame that crosses the reset gets Netty's RST_STREAM STREAM_CLOSED, a second stream error.
    Eventually.await("the malformed stream counted", Duration.ofSeconds(5),
        () -> listener().getLong("streamErrors") >= before + 1);
  }

  /** RFC 9113, 8.3.1: {@code *} for OPTIONS, and an origin-form target with every byte HTTP/1 allows, are forwarded. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(delimiter = ' ', value = {"OPTIONS *", "GET /a%20b;c=d?e=[f]&g=|~'!$()*+,:@",
      "PATCH /"})
  void validRequestLinesAreForwarded(String method, String path) throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.END_STREAM_AND_HEADERS, request(method, path).toByteArray());
      assertThat(h2.frames(1)).extracting(Frame::type).containsExactly(RawH2.TYPE_HEADERS, RawH2.TYPE_DATA);
    }
    assertThat(backend.uris).contains(path);
  }

  /**
   * RFC 9113, 8.2.2: no connection-specific field in an HTTP/2 response. The router's own error for a request
   * whose body it did not read (here: upstream unreachable while the body is still open) once said
   * {@code connection: close}, which clients' codecs take for a malformed response.
   */
  @org.junit.jupiter.api.Test
  void theRoutersOwnErrorCarriesNoConnectionSpecificField() throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.FLAG_END_HEADERS, with(request("POST", "/dead"), "content-length", "3").toByteArray());
      List<Frame> frames = h2.frames(1);
      assertThat(frames.get(0).type()).isEqualTo(RawH2.TYPE_HEADERS);
      assertThat(h2.lastHeaders.status()).hasToString("503");
      for (String name : List.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade")) {
        assertThat(h2.lastHeaders.contains(name)).as(name + " in " + h2.lastHeaders).isFalse();
      }
    }
  }

  static Stream<Arguments> lengthMismatches() {
    return Stream.of(Arguments.of("5", "abc"), Arguments.of("2", "abc"), Arguments.of("0", "a"));
  }

  /**
   * RFC 9113 §5.1.1: opening stream 5 closes the idle streams 1 and 3; a HEADERS frame on 3 afterwards is an
   * unexpected stream id, a connection error PROTOCOL_ERROR (Netty alone answers RST_STREAM STREAM_CLOSED).
   */
  @Test
  void headersOnASkippedStreamIdIsAConnectionError() throws Exception {
    try (RawH2 h2 = connect()) {
      h2.headers(5, RawH2.END_STREAM_AND_HEADERS, request("GET", "/").toByteArray());
      assertThat(h2.frames(5)).isNotEmpty();
      h2.headers(3, RawH2.END_STREAM_AND_HEADERS, request("GET", "/").toByteArray());
      Frame goAway = h2.goAway();
      assertThat(goAway).as("GOAWAY").isNotNull();
      assertThat(goAway.errorCode()).isEqualTo(RawH2.PROTOCOL_ERROR);
      assertThat(h2.closedByServer()).isTrue();
    }
  }

  /** Streams opened in order, each after the last closed, never trip the skipped-id rule. */
  @Test
  void streamsInOrderStayOnOneConnection() throws Exception {
    try (RawH2 h2 = connect()) {
      for (int stream = 1; stream <= 9; stream += 2) {
        h2.headers(stream, RawH2.END_STREAM_AND_HEADERS, request("GET", "/").toByteArray());
        assertThat(h2.frames(stream)).extracting(Frame::type).doesNotContain(RawH2.TYPE_RST_STREAM);
      }
    }
  }

  @ParameterizedTest(name = "content-length {0}, body {1}")
  @MethodSource("lengthMismatches")
  void aContentLengthThatDisagreesWithTheDataIsAStreamError(String length, String body) throws Exception {
    long before = listener().getLong("streamErrors");
    try (RawH2 h2 = connect()) {
      h2.headers(1, RawH2.FLAG_END_HEADERS, with(request("POST", "/echo"), "content-length", length).toByteArray());
      h2.data(1, RawH2.FLAG_END_STREAM, body.getBytes(StandardCharsets.US_ASCII));
      List<Frame> frames = h2.frames(1);
      Frame last = frames.get(frames.size() - 1);
      assertThat(last.type()).as("the stream ends with a reset").isEqualTo(RawH2.TYPE_RST_STREAM);
      assertThat(last.errorCode()).isEqualTo(RawH2.PROTOCOL_ERROR);
    }
    assertThat(backend.completed).as("requests the backend saw to their end").hasValue(0);
    Eventually.await("the malformed stream counted", Duration.ofSeconds(5),
        () -> listener().getLong("streamErrors") == before + 1);
  }

  private JsonObject listener() {
    return fixture.listenerStats();
  }
}
