package io.ringway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal HTTP/2 client over a plain socket: the preface, SETTINGS and its ACK, raw HEADERS frames, frames read raw. */
final class RawH2 implements AutoCloseable {

  static final int TYPE_DATA = 0x0;
  static final int TYPE_HEADERS = 0x1;
  static final int TYPE_RST_STREAM = 0x3;
  static final int TYPE_SETTINGS = 0x4;
  static final int TYPE_PING = 0x6;
  static final int TYPE_GOAWAY = 0x7;
  static final int FLAG_END_HEADERS = 0x4;
  static final int PROTOCOL_ERROR = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_STREAM = 0x1;
  static final int END_STREAM_AND_HEADERS = 0x5;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder hpack =
      new io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder(false);
  /** The headers of the last HEADERS frame {@link #frames} read. */
  io.netty.handler.codec.http2.Http2Headers lastHeaders;

  RawH2(int port) throws IOException {
    this(new Socket(RouterFixture.HOST, port));
  }

  /** Over TLS, h2 chosen by ALPN; the test listener's self-signed certificate is trusted as it is. */
  static RawH2 overTls(int port) throws Exception {
    javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TestCerts.trustAll()
        .createSocket(RouterFixture.HOST, port);
    javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"h2"});
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    if (!"h2".equals(tls.getApplicationProtocol())) {
      tls.close();
      throw new IOException("ALPN chose " + tls.getApplicationProtocol() + ", not h2");
    }
    return new RawH2(tls);
  }

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
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
        int code = ByteBuffer.wrap(payload).getInt();
        assertThat(code).as("error code of the reset of stream %d", head[3]).isEqualTo(errorCode);
        streams.add(head[3]);
      }
    }
    return streams;
  }

  /** A frame as read: its type, flags, payload length, payload and stream. */
  record Frame(int type, int flags, int length, byte[] payload, int stream) {

    /** The error code of a RST_STREAM frame, or of a GOAWAY frame. */
    int errorCode() {
      return ByteBuffer.wrap(payload, type == TYPE_GOAWAY ? 4 : 0, 4).getInt();
    }
  }

  /** A HEADERS frame with {@code flags} and a header block as it is. */
  void headers(int stream, int flags, byte[] block) throws IOException {
    frame(TYPE_HEADERS, flags, stream, block);
  }

  /** Acknowledges a PING with its {@code payload}. */
  void pingAck(byte[] payload) throws IOException {
    frame(TYPE_PING, FLAG_ACK, 0, payload);
  }

  void data(int stream, int flags, byte[] payload) throws IOException {
    frame(TYPE_DATA, flags, stream, payload);
  }

  /** The next frame of any stream; null once the server closed the connection. */
  Frame next() throws IOException {
    int[] head;
    try {
      head = readHead();
    } catch (java.io.EOFException | java.net.SocketException closed) {
      return null;
    }
    byte[] payload = new byte[head[0]];
    in.readFully(payload);
    return new Frame(head[1], head[2], head[0], payload, head[3]);
  }

  /** Frames up to the GOAWAY the server sends, which is returned; null if it closed without one. */
  Frame goAway() throws IOException {
    for (Frame frame = next(); frame != null; frame = next()) {
      if (frame.type() == TYPE_GOAWAY) {
        return frame;
      }
    }
    return null;
  }

  /** Shuts this side's sending half of the connection, as a client does at the end of its input. */
  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** True once the server closed the connection (frames before that are skipped). */
  boolean closedByServer() throws IOException {
    while (next() != null) {
      // skipped
    }
    return true;
  }

  /** A literal header field, not indexed (RFC 7541, 6.2.2), name and value as they are. */
  static void literal(ByteArrayOutputStream block, String name, String value) {
    block.write(0x00);
    string(block, name);
    string(block, value);
  }

  /** A HEADERS frame's header block: its payload minus padding (0x8) and priority (0x20) fields. */
  static byte[] headerBlock(int flags, byte[] payload) {
    int from = 0;
    int to = payload.length;
    if ((flags & 0x8) != 0) {
      from = 1;
      to -= payload[0] & 0xff;
    }
    if ((flags & 0x20) != 0) {
      from += 5;
    }
    return java.util.Arrays.copyOfRange(payload, from, to);
  }

  /** Decodes a header block, unvalidated, with this connection's HPACK table. */
  io.netty.handler.codec.http2.Http2Headers decode(byte[] block) throws IOException {
    try {
      return hpack.decodeHeaders(0, io.netty.buffer.Unpooled.wrappedBuffer(block));
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      throw new IOException(java.util.HexFormat.of().formatHex(block), e);
    }
  }

  /** The frames of {@code stream}, up to the one that ends it (END_STREAM or RST_STREAM); other streams' skipped. */
  List<Frame> frames(int stream) throws IOException {
    List<Frame> frames = new ArrayList<>();
    while (true) {
      int[] head = readHead();
      byte[] payload = new byte[head[0]];
      in.readFully(payload);
      if (head[1] == TYPE_HEADERS && payload.length > 0) {
        // Every header block goes through the decoder: its dynamic table is the connection's.
        lastHeaders = decode(headerBlock(head[2], payload));
      }
      if (head[3] != stream) {
        continue;
      }
      Frame frame = new Frame(head[1], head[2], head[0], payload, head[3]);
      frames.add(frame);
      boolean ends = (frame.type() == TYPE_DATA || frame.type() == TYPE_HEADERS) && (frame.flags() & FLAG_END_STREAM) != 0;
      if (ends || frame.type() == TYPE_RST_STREAM) {
        return frames;
      }
    }
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
    int stream = ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
    return new int[] {length, head[3] & 0xff, head[4] & 0xff, stream};
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
