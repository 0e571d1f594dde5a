package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.ForwardAction;
import io.ringway.spi.config.HttpListenerConfig;
import io.ringway.spi.config.RouteConfig;
import io.ringway.spi.config.RouteMatch;
import io.ringway.spi.upstream.ClusterConfig;
import io.ringway.testkit.Ports;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9112 and RFC 9110 requirements on an HTTP/1.1 server and proxy, one test per row of
 * {@code docs/conformance.md}, each over a raw socket to a real listener. The listener's head timeout is
 * long (10 s), so a refusal that comes back at once was made at the offending byte, not by the timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http1ConformanceTest {

  private static final String END = "Connection: close\r\n\r\n";

  private RouterFixture fixture;
  private Backend backend;

  RouterFixture newFixture() {
    return RouterFixture.ioUring();
  }

  boolean h2c() {
    return false;
  }

  RouterFixture fixture() {
    return fixture;
  }

  @BeforeAll
  void start() throws Exception {
    fixture = newFixture();
    backend = new Backend(fixture.vertx, "b");
    HttpListenerConfig listener = new HttpListenerConfig(RouterFixture.LISTENER, RouterFixture.HOST,
        Ports.freeTcpPort(), h2c(), 8192, 1024, Duration.ofSeconds(10), Duration.ofSeconds(30), 100, HttpListenerConfig.AUTO_MAX_CONNECTIONS, null);
    fixture.start(1, listener, List.of(ClusterConfig.of("b", List.of(backend.endpoint()))),
        List.of(new RouteConfig("all", RouteMatch.ANY, ForwardAction.to("b"))));
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
  }

  @BeforeEach
  void reset() {
    backend.seen.set(0);
    backend.completed.set(0);
  }

  private String send(String request) throws Exception {
    return RawHttp.exchange(fixture.port, request);
  }

  private void assertRefused(String request, int status) throws Exception {
    String response = send(request);
    assertThat(response).as("answer to %s", request).startsWith("HTTP/1.1 " + status + " ").doesNotContain("<timeout>");
    assertThat(backend.seen).as("forwarded: %s", request).hasValue(0);
  }

  private void assertForwarded(String request) throws Exception {
    String response = send(request);
    assertThat(response).as("answer to %s", request).startsWith("HTTP/1.1 200 ");
    assertThat(backend.seen).as("forwarded: %s", request).hasValue(1);
  }

  /** §2.2, §3: a byte no request line may hold is refused when it arrives, though the head never completes. */
  @ParameterizedTest
  @ValueSource(strings = {
      "\u0001GET / HTTP/1.1\r\n", "\u0000GET /", " GET / HTTP/1.1\r\n", "G(T / HTTP/1.1\r\n", "GET /a\u0001b ",
      "GET /a\u007F", "GET /\u00ff HTTP/1.1\r\n", "GET /a#f HTTP/1.1\r\n", "GET / http/1.1\r\n",
      "GET / HTUP/1.1\r\n", "GET / HTTP/1.1 \r\n", "GET / HTTP/11\r\n", "GET /\r\n", "GET / HTTP/1.1\rX",
      "\rX", "GET\t/ HTTP/1.1\r\n"})
  void requestLineOutsideTheGrammarIsRefusedAtOnce(String partialHead) throws Exception {
    assertRefused(partialHead, 400);
  }

  /** §5.1, §5.5, §2.2: field lines outside the grammar, refused before the head's end arrives. */
  @ParameterizedTest
  @ValueSource(strings = {
      "GET / HTTP/1.1\r\nHost: h\r\nX-A : b\r\n", "GET / HTTP/1.1\r\nHost: h\r\n: b\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX(A: b\r\n", "GET / HTTP/1.1\r\nHost: h\r\nXA\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0001b",
      "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u007Fb", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb",
      "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nb", "GET / HTTP/1.1\r\n Host: h\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n"})
  void fieldLineOutsideTheGrammarIsRefusedAtOnce(String partialHead) throws Exception {
    assertRefused(partialHead, 400);
  }

  /** §9.3.2: a request pipelined after a chunked one is read once the chunked one ended, not held. */
  @ParameterizedTest
  @ValueSource(strings = {"5", "5;ext=1"})
  void requestPipelinedAfterAChunkedOneIsAnswered(String sizeLine) throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + sizeLine
        + "\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n" + END);
    assertThat(response).startsWith("HTTP/1.1 200 ").doesNotContain("<timeout>");
    assertThat(response.substring(response.indexOf("HTTP/1.1", 1))).startsWith("HTTP/1.1 200 ");
    assertThat(backend.seen).hasValue(2);
    backend.seen.set(0);
    String kept = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + sizeLine
        + "\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(kept.substring(kept.indexOf("HTTP/1.1", 1))).startsWith("HTTP/1.1 200 ");
    assertThat(backend.seen).hasValue(2);
  }

  /** §9.3.2: pipelined requests are answered in order; one refused after a valid one is answered in its turn. */
  @Test
  void refusedPipelinedRequestIsAnsweredInItsTurn() throws Exception {
    String response = send("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /a\u0001 HTTP/1.1\r\nHost: h\r\n\r\n"
        + "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").doesNotContain("<timeout>");
    String rest = response.substring(response.indexOf("HTTP/1.1", 1));
    assertThat(rest).startsWith("HTTP/1.1 400 ").doesNotContain("HTTP/1.1 200");
    assertThat(backend.seen).hasValue(1);
  }

  /**
   * §9.6: a client may shut its sending side once its requests are out ({@code nc -N}, socat, scripts). Every request
   * it sent whole is answered, in order, and the connection closes after the last answer (HAProxy answers them too;
   * nginx closes without an answer). Before, the end of input closed the connection at once, answers unsent.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
          + "GET / HTTP/1.1\r\nHost: h\r\n\r\n"})
  void requestsSentWholeBeforeTheClientShutItsSideAreAnswered(String requests) throws Exception {
    int sent = requests.split(" HTTP/1\\.").length - 1;
    String response = RawHttp.exchangeHalfClosed(fixture.port, requests);
    assertThat(response).as("answer to %s", requests).doesNotContain("<timeout>");
    assertThat(response.split("HTTP/1\\.1 200 ", -1)).as("answers to %s: %s", requests, response).hasSize(sent + 1);
    Eventually.await("the backend's count of whole requests", Duration.ofSeconds(5),
        () -> backend.completed.get() == sent);
  }

  /** §9.6: the answer to a request still upstream when the client shut its side is sent when it comes. */
  @Test
  void anAnswerThatComesAfterTheClientShutItsSideIsSent() throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET /hold HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      Eventually.await("the request held upstream", Duration.ofSeconds(5), () -> backend.heldCount() == 1);
      // Time for the end of input to reach the router ahead of the answer.
      Thread.sleep(200);
      assertThat(backend.answerHeld()).isTrue();
      String response = RawHttp.readUntilClose(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("b").doesNotContain("<timeout>");
    }
  }

  /**
   * §8: a head cut short by the client shutting its side can never end: 400 at once, as HAProxy answers, not a wait
   * for the head timeout (10 s here); what came whole before it is answered first. A head refused (400) behind a whole
   * one is answered in its turn, as on a connection open both ways (HAProxy leaves that one unanswered).
   */
  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: h\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHo",
      "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /a\u0001 HTTP/1.1\r\nHost: h\r\n\r\n"})
  void aHeadCutShortByTheClientShuttingItsSideIs400(String requests) throws Exception {
    int whole = requests.contains("\u0001") ? 1 : requests.split("\r\n\r\n", -1).length - 1;
    String response = RawHttp.exchangeHalfClosed(fixture.port, requests);
    assertThat(response).as("answer to %s", requests).doesNotContain("<timeout>")
        .startsWith(whole == 0 ? "HTTP/1.1 400 " : "HTTP/1.1 200 ");
    assertThat(response.substring(response.lastIndexOf("HTTP/1.1 "))).startsWith("HTTP/1.1 400 ");
    assertThat(backend.seen).hasValue(whole);
  }

  /**
   * §8: a body cut short by the client shutting its side is not forwarded whole: the request is aborted, and the
   * connection closes at once (after the answers to whole requests before it). The upstream never sees the request's
   * end; an answer it began before the end of input reached the router (an echo's head and half its body) is relayed
   * as far as it came, as HAProxy relays it.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhello"})
  void aBodyCutShortByTheClientShuttingItsSideIsNotForwardedWhole(String requests) throws Exception {
    int whole = requests.startsWith("GET") ? 1 : 0;
    String response = RawHttp.exchangeHalfClosed(fixture.port, requests);
    assertThat(response).as("answer to %s", requests).doesNotContain("<timeout>");
    if (whole > 0) {
      assertThat(response).startsWith("HTTP/1.1 200 ");
    }
    // Time for a request forwarded whole to end at the backend, were it so.
    Thread.sleep(300);
    assertThat(backend.completed).hasValue(whole);
  }

  /**
   * A client that resets its connection inside a request head: the decoder makes what it holds an invalid request as
   * the connection goes, and its 400 meets the closed connection. That write's failure closed the connection from
   * inside Netty 4.2's response encoder, which Vert.x's close then entered again: the 400's buffer was released twice
   * (Netty logged it; a pooled buffer released twice may be another connection's by then), until the thirty-second
   * session. The fixture counts such a release among the exceptions it fails on.
   */
  @Test
  void aClientThatResetsInsideAHeadLeavesNoBufferReleasedTwice() throws Exception {
    for (String head : List.of("GET / HTTP/1.1\r\nHost: h\r\n", "GET / HTTP/1.1\r\nHost", "GET /")) {
      try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        // Read by the router before the reset.
        Thread.sleep(100);
        socket.setSoLinger(true, 0);
      }
    }
    Thread.sleep(200);
    assertThat(fixture.unhandled).isEmpty();
  }

  /**
   * A connection with nothing to answer closes as soon as the client shut its side: one that never sent a byte, and a
   * keep-alive one after its answer (not at the head or idle timeout, which would answer 408 or leave it open).
   */
  @Test
  void aConnectionWithNothingToAnswerClosesWhenTheClientShutsItsSide() throws Exception {
    assertThat(RawHttp.exchangeHalfClosed(fixture.port, "")).isEmpty();
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      RawHttp.readUntil(socket.getInputStream(), "\r\n\r\nb");
      socket.shutdownOutput();
      assertThat(RawHttp.readUntilClose(socket.getInputStream())).isEmpty();
    }
  }

  /** §5.5: HTAB, SP and obs-text are allowed in a field value. */
  @Test
  void fieldValueMayHoldTabAndObsText() throws Exception {
    assertForwarded("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb \u00e9\r\n" + END);
  }

  /** §2.2: empty lines before the request line are ignored. */
  @Test
  void emptyLinesBeforeTheRequestLineAreIgnored() throws Exception {
    assertForwarded("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n" + END);
  }

  /** §3: runs of SP between the request line's parts are taken as one (MAY); the upstream gets one of its own. */
  @Test
  void repeatedSpacesInTheRequestLineAreAccepted() throws Exception {
    assertForwarded("GET  /  HTTP/1.1\r\nHost: h\r\n" + END);
  }

  /** §2.3, RFC 9110 §2.5: a higher HTTP/1 minor version is handled as HTTP/1.1 and answered as HTTP/1.1. */
  @Test
  void higherMinorVersionIsServedAsHttp11() throws Exception {
    assertForwarded("GET / HTTP/1.7\r\nHost: h\r\n" + END);
  }

  /**
   * The same with a chunked body, and its framing rules as HTTP/1.1's (Netty's decoder refused Transfer-Encoding in
   * any version but HTTP/1.1 exactly, a rule meant for HTTP/1.0; nginx and HAProxy forward it).
   */
  @Test
  void higherMinorVersionWithAChunkedBodyIsServedAsHttp11() throws Exception {
    assertForwarded("POST / HTTP/1.3\r\nHost: h\r\nTransfer-Encoding: chunked\r\n" + END
        + "5\r\nhello\r\n0\r\n\r\n");
    backend.seen.set(0);
    assertRefused("POST / HTTP/1.3\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n" + END
        + "5\r\nhello\r\n0\r\n\r\n", 400);
  }

  /** §2.3, RFC 9110 §15.6.6: another major version is answered 505, in an HTTP/1.1 status line. */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP/2.0", "HTTP/0.9", "HTTP/3.1"})
  void otherMajorVersionIs505(String version) throws Exception {
    assertRefused("GET / " + version + "\r\nHost: h\r\n" + END, 505);
  }

  /** §3.2: an HTTP/1.1 request without Host, with two, or with an invalid one is refused with 400. */
  @ParameterizedTest
  @ValueSource(strings = {"", "Host: a\r\nHost: b\r\n", "Host: a b\r\n", "Host: h:abc\r\n", "Host:\r\n",
      "Host: a/b\r\n", "Host: u@h\r\n", "Host: [::1\r\n", "Host: [zz]\r\n", "Host: h%zz\r\n", "Host: :80\r\n"})
  void missingRepeatedOrInvalidHostIs400(String host) throws Exception {
    assertRefused("GET / HTTP/1.1\r\n" + host + END, 400);
  }

  /** §3.2: valid Host forms (reg-name, IPv4, IP literal, port) pass; HTTP/1.0 may omit Host. */
  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: a.example:8080\r\n", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n",
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", "GET / HTTP/1.1\r\nHost: xn--d1a%41\r\n", "GET / HTTP/1.0\r\n"})
  void validHostFormsPass(String head) throws Exception {
    String response = send(head + END);
    assertThat(response).matches("(?s)HTTP/1\\.1 200 .*");
    assertThat(backend.seen).hasValue(1);
  }

  /**
   * §3.2, RFC 9110 §4.2.1: a port names a TCP port, 0 to 65535. A Host or absolute-form authority with a larger one is
   * refused, as an HTTP/2 request's {@code :authority} with it is (a stream error): before, HTTP/1 forwarded it with no
   * authority at all on the decoding path (Vert.x cannot parse it), so host routes did not match it, the upstream got
   * another Host, and the same request over an h2c upgrade got a 101 and then a reset stream. nginx and HAProxy
   * forward it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: h:65536\r\n", "GET / HTTP/1.1\r\nHost: h:99999\r\n",
      "GET / HTTP/1.1\r\nHost: h:4294967376\r\n", "GET http://h:99999/ HTTP/1.1\r\nHost: h\r\n",
      "DELETE / HTTP/1.1\r\nHost: [::1]:70000\r\n",
      "GET / HTTP/1.1\r\nHost: h:99999\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n"})
  void aPortBeyond65535Is400(String head) throws Exception {
    assertRefused(head + END, 400);
  }

  /**
   * §3.2, RFC 3986 §6.2.3: the highest port, an empty one (the scheme's default) and one with leading zeros pass, and
   * reach the upstream as the same authority on both data paths: {@code h:} as {@code h} (Vert.x read it as port 0 and
   * sent {@code Host: h:0}), {@code h:08080} as {@code h:8080} (the byte-level path sent it as it came).
   */
  @ParameterizedTest
  @ValueSource(strings = {"h:65535=h:65535", "h:=h", "h:08080=h:8080", "[::1]:=[::1]", "h:000008080=h:8080"})
  void theHighestPortAnEmptyOneAndLeadingZerosPass(String hostAndForwarded) throws Exception {
    String host = hostAndForwarded.substring(0, hostAndForwarded.indexOf('='));
    String forwarded = hostAndForwarded.substring(host.length() + 1);
    String response = send("GET /headers HTTP/1.1\r\nHost: " + host + "\r\n" + END);
    assertThat(response).startsWith("HTTP/1.1 200 ");
    JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(seen.getString("x-forwarded-host")).as("x-forwarded-host").isEqualTo(forwarded);
    assertThat(seen.getString("host")).as("host").isEqualTo(forwarded);
  }

  /** §3.2.2: absolute-form: the target's authority replaces Host, and the upstream gets origin-form. */
  @Test
  void absoluteFormTargetAuthorityReplacesHost() throws Exception {
    String response = send("GET http://Other.Example:81/headers?q=1 HTTP/1.1\r\nHost: h\r\n" + END);
    assertThat(response).startsWith("HTTP/1.1 200 ");
    JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(seen.getString("uri")).isEqualTo("/headers?q=1");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo("Other.Example:81");
  }

  /** §3.2.2, RFC 9110 §4.2.4: userinfo, schemes other than http(s) and empty authorities are refused. */
  @ParameterizedTest
  @ValueSource(strings = {"http://u:p@h/", "ftp://h/", "http:///x", "http://h h/"})
  void badAbsoluteFormIs400(String target) throws Exception {
    assertRefused("GET " + target + " HTTP/1.1\r\nHost: h\r\n" + END, 400);
  }

  /** §3.2.4: asterisk-form is for OPTIONS only. */
  @Test
  void asteriskFormOnlyForOptions() throws Exception {
    assertRefused("GET * HTTP/1.1\r\nHost: h\r\n" + END, 400);
    assertForwarded("OPTIONS * HTTP/1.1\r\nHost: h\r\n" + END);
  }

  /** §3.2.3, RFC 9110 §9.3.6: CONNECT (authority-form) is not served: Ringway is no forward proxy. */
  @Test
  void connectIs501() throws Exception {
    assertRefused("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n" + END, 501);
  }

  /** §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing. */
  @Test
  void transferEncodingInHttp10Is400() throws Exception {
    String response = send("POST /echo HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ");
    assertThat(backend.seen).hasValue(0);
  }

  /** §6.3: chunked not last (or twice) is 400; another coding before chunked is not implemented (501). */
  @Test
  void transferCodingsOtherThanChunked() throws Exception {
    assertRefused("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400);
    assertRefused("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400);
    assertRefused("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
  }

  /**
   * §7.1.1: chunk extensions a recipient does not know are ignored, in every valid form and, as nginx and
   * HAProxy do, whatever they hold short of CR, LF or NUL: none is forwarded, so no later hop reads them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"5;ext=1", "5;a=\"b c\"", "5;x", "5 ; a = b ; c", "5;a=\"q\\\"x\"", "5;a=", "5;a=b c",
      "5;e=\u0001", "5 "})
  void chunkExtensionsAreIgnored(String sizeLine) throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n" + END
        + sizeLine + "\r\nhello\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").contains("hello");
  }

  /**
   * §7.1: a chunk-size line outside the grammar, or chunk data that does not end where its size says, is
   * answered 400 (the response had not started) and the upstream request is reset, never completed.
   */
  @ParameterizedTest
  @ValueSource(strings = {" 5\r\nhello\r\n", "5g\r\nhello\r\n", "-5\r\nhello\r\n", "5\r\r\nhello\r\n",
      "5;a\u0000\r\nhello\r\n", "5;a\rb\r\nhello\r\n", "fffffffffffffffff5\r\nhello\r\n", "5\r\nhello \r\n",
      "4\r\nhello\r\n", "5\nhello\r\n", "5\r\nhello\n"})
  void badChunkFramingIs400(String chunk) throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n" + END
        + chunk + "0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain("<timeout>");
    assertThat(backend.completed).hasValue(0);
    // The head went upstream before the bad bytes arrived: let it land here, not in the next test's counts.
    Thread.sleep(100);
  }

  /** §7.1.2: trailer fields follow the field-line grammar; a bad one is refused when it arrives. */
  @ParameterizedTest
  @ValueSource(strings = {"X-T: 1\rJ\r\n\r\n", "\r\\", "X-T : 1\r\n\r\n", ": x\r\n\r\n", "X-T: a\u0000b\r\n\r\n",
      " X-T: 1\r\n\r\n"})
  void badTrailerIs400(String trailers) throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n" + END
        + "5\r\nhello\r\n0\r\n" + trailers);
    assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain("<timeout>");
    assertThat(backend.completed).hasValue(0);
    // The head went upstream before the bad bytes arrived: let it land here, not in the next test's counts.
    Thread.sleep(100);
  }

  /** §7.1.2: valid trailers end the request. */
  @Test
  void validTrailersPass() throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n" + END
        + "5\r\nhello\r\n0\r\nX-T: 1\r\nX-U: \u00e9\t\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").contains("hello");
  }

  /** §9.6, §9.3.2: nothing pipelined after a refused request, or after one that asked to close, is processed. */
  @ParameterizedTest
  @ValueSource(strings = {
      "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "GET / HTTP/0.1\r\nHost: h\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"})
  void nothingAfterARefusedRequestIsProcessed(String refused) throws Exception {
    String response = send(refused + "GET /pipelined-after-refusal HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(response).matches("(?s)HTTP/1\\.1 [45]0\\d .*").doesNotContain("<timeout>").doesNotContain(" 200 ");
    Thread.sleep(100);
    assertThat(backend.uris).doesNotContain("/pipelined-after-refusal");
  }

  @ParameterizedTest
  @ValueSource(strings = {"close", "keep-alive, close", "close, x-a", "CLOSE"})
  void nothingAfterConnectionCloseIsProcessed(String connection) throws Exception {
    String response = send("GET /first HTTP/1.1\r\nHost: h\r\nConnection: " + connection + "\r\n\r\n"
        + "GET /pipelined-after-close HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 ").doesNotContain("<timeout>");
    assertThat(response.indexOf("HTTP/1.1", 1)).isEqualTo(-1);
    Thread.sleep(100);
    assertThat(backend.uris).contains("/first").doesNotContain("/pipelined-after-close");
  }

  /** RFC 9110 §4.2.3: the query belongs to the origin: an invalid percent-escape is forwarded, not a crash. */
  @Test
  void invalidPercentEscapeInTheQueryIsForwarded() throws Exception {
    assertForwarded("GET /x?y=%4g&z=% HTTP/1.1\r\nHost: h\r\n" + END);
    assertThat(fixture.unhandled).isEmpty();
  }

  /** RFC 9110 §10.1.1: no 100 Continue for a request that is refused; the head is validated first. */
  @Test
  void noContinueBeforeTheHeadIsValidated() throws Exception {
    String response = send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: s\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain("100 Continue");
    String tooLarge = send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    assertThat(tooLarge).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
    assertThat(backend.seen).hasValue(0);
  }

  /** RFC 9110 §10.1.1: 100 Continue once the request is routed; the upstream does not get the expectation. */
  @Test
  void continueIsSentOnceTheBodyIsWanted() throws Exception {
    try (Socket socket = new Socket(RouterFixture.HOST, fixture.port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST /headers HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n" + END)
          .getBytes(StandardCharsets.US_ASCII));
      byte[] interim = new byte[25];
      int read = 0;
      while (read < interim.length) {
        read += in.read(interim, read, interim.length - read);
      }
      assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      out.write("hello".getBytes(StandardCharsets.US_ASCII));
      String response = RawHttp.readUntilClose(in);
      assertThat(response).startsWith("HTTP/1.1 200 ");
      JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
      assertThat(seen.containsKey("expect")).isFalse();
    }
  }

  /**
   * RFC 9110 §6.2: an HTTP/1.0 request is answered in an HTTP/1.1 status line, as nginx and HAProxy answer it (until
   * the thirty-third session the decoding path answered in HTTP/1.0). RFC 9112 §9.3: so each answer says whether the
   * connection stays: {@code keep-alive} when the request asked for it, else {@code close}, and it closes after it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.0\r\nHost: h\r\n\r\n", "GET / HTTP/1.0\r\n\r\n",
      "GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\nHost: a b\r\n\r\n"})
  void http10RequestsAreAnsweredInHttp11(String requests) throws Exception {
    String response = send(requests);
    assertThat(response).as("answer to %s", requests).doesNotContain("<timeout>").doesNotContain("HTTP/1.0 ");
    String[] answers = response.split("(?=HTTP/1\\.1 )");
    assertThat(answers).as("answers to %s: %s", requests, response).hasSize(requests.split(" HTTP/1\\.0").length - 1);
    for (int i = 0; i < answers.length; i++) {
      boolean last = i == answers.length - 1;
      assertThat(answers[i]).as("answer %d to %s", i, requests)
          .matches("(?s)HTTP/1\\.1 (200|400) .*")
          .containsIgnoringCase("\r\nconnection: " + (last ? "close" : "keep-alive") + "\r\n");
    }
  }

  /** RFC 9110 §10.1.1: a server MUST ignore 100-continue in an HTTP/1.0 request. */
  @Test
  void continueIsIgnoredInHttp10() throws Exception {
    String response = send("POST /echo HTTP/1.0\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello");
    assertThat(response).startsWith("HTTP/1.1 200 ").doesNotContain("100 Continue").endsWith("hello");
  }

  /** RFC 9110 §7.6.2: TRACE and OPTIONS with Max-Forwards 0 are answered here; above 0 forwarded one less. */
  @Test
  void maxForwards() throws Exception {
    String options = send("OPTIONS / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n" + END);
    assertThat(options).startsWith("HTTP/1.1 200 ").containsIgnoringCase("allow: GET");
    assertRefused("TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n" + END, 405);
    assertThat(backend.seen).hasValue(0);
    String forwarded = send("OPTIONS /headers HTTP/1.1\r\nHost: h\r\nMax-Forwards: 3\r\n" + END);
    JsonObject seen = new JsonObject(forwarded.substring(forwarded.indexOf("\r\n\r\n") + 4));
    assertThat(seen.getString("max-forwards")).isEqualTo("2");
    String other = send("GET /headers HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n" + END);
    assertThat(new JsonObject(other.substring(other.indexOf("\r\n\r\n") + 4)).getString("max-forwards")).isEqualTo("0");
  }

  /** RFC 9110 §7.6.3: the forwarded request carries Via with this hop. */
  @Test
  void viaIsAddedToTheForwardedRequest() throws Exception {
    String response = send("GET /headers HTTP/1.1\r\nHost: h\r\nVia: 1.0 first\r\n" + END);
    JsonObject seen = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(seen.getString("via")).isEqualTo("1.0 first, 1.1 ringway");
    assertThat(response).containsIgnoringCase("via: 1.1 ringway");
  }

  /** Each refusal is counted: 400s as badRequests, 501/505 as unsupportedRequests. */
  @Test
  void refusalsAreCounted() throws Exception {
    long bad = listenerCount("badRequests");
    long unsupported = listenerCount("unsupportedRequests");
    send("GET / HTTP/1.1\r\n" + END);
    send("GET / HTTP/2.0\r\nHost: h\r\n" + END);
    assertThat(listenerCount("badRequests")).isEqualTo(bad + 1);
    assertThat(listenerCount("unsupportedRequests")).isEqualTo(unsupported + 1);
  }

  private long listenerCount(String name) throws Exception {
    return fixture.listenerStats().getLong(name);
  }
}
