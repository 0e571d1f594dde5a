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
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
  private static final int TYPE_HEADERS = 0x1;
  private static final int TYPE_RST_STREAM = 0x3;
  private static final int TYPE_SETTINGS = 0x4;
  private static final int FLAG_ACK = 0x1;
  private static final int END_STREAM_AND_HEADERS = 0x5;

  private RouterFixture fixture;
  private Backend backend;

  private void start(String transport) throws Exception {
    fixture = transport.equals("epoll") ? RouterFixture.epoll() : RouterFixture.ioUring();
    backend = new Backend(fixture.vertx, "b");
    HttpListenerConfig base = RouterFixture.listener(Ports.freeTcpPort());
    HttpListenerConfig listener = new HttpListenerConfig(base.name(), base.host(), base.port(), true,
        base.maxHeaderBytes(), base.maxBodyBytes(), base.headerReadTimeout(), base.idleTimeout(), MAX_STREAMS, null);
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
    try {
      return fixture.stats().getJsonArray("listeners").getJsonObject(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A minimal HTTP/2 client over a plain socket: the preface, SETTINGS and its ACK, raw HEADERS frames. */
  private static final class RawH2 implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    RawH2(int port) throws IOException {
      socket = new Socket(RouterFixture.HOST, port);
      socket.setSoTimeout(5000);
      out = socket.getOutputStream();
      in = new DataInputStream(socket.getInputStream());
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(TYPE_SETTINGS, 0, 0, new byte[0]);
      // The server enforces its limit once we acknowledge its SETTINGS (RFC 9113, 6.5.3).
      while (true) {
        int[] head = readHead();
        in.readFully(new byte[head[0]]);
        if (head[1] == TYPE_SETTINGS && (head[2] & FLAG_ACK) == 0) {
          frame(TYPE_SETTINGS, FLAG_ACK, 0, new byte[0]);
          break;
        }
      }
    }

    /** :method GET, :scheme http, :authority, and {@code path}, as HPACK (static-table indexes, literals). */
    ByteArrayOutputStream pathBlock(String path) {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      block.write(0x82);
      block.write(0x86);
      block.write(0x01);
      string(block, "localhost");
      block.write(0x04);
      string(block, path);
      return block;
    }

    void get(int stream, ByteArrayOutputStream block) throws IOException {
      frame(TYPE_HEADERS, END_STREAM_AND_HEADERS, stream, block.toByteArray());
    }

    /** The streams of the next {@code count} RST_STREAM frames with {@code errorCode}, other frames skipped. */
    List<Integer> resets(int count, int errorCode) throws IOException {
      List<Integer> streams = new ArrayList<>();
      while (streams.size() < count) {
        int[] head = readHead();
        byte[] payload = new byte[head[0]];
        in.readFully(payload);
        if (head[1] == TYPE_RST_STREAM) {
          int code = java.nio.ByteBuffer.wrap(payload).getInt();
          assertThat(code).as("error code of the reset of stream %d", head[3]).isEqualTo(errorCode);
          streams.add(head[3]);
        }
      }
      return streams;
    }

    static void string(ByteArrayOutputStream block, String value) {
      byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
      block.write(bytes.length);
      block.writeBytes(bytes);
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
      byte[] head = {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length, (byte) type,
          (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream};
      out.write(head);
      out.write(payload);
      out.flush();
    }

    /** length, type, flags, stream */
    private int[] readHead() throws IOException {
      byte[] head = new byte[9];
      in.readFully(head);
      int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
      int stream = java.nio.ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
      return new int[] {length, head[3] & 0xff, head[4] & 0xff, stream};
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
