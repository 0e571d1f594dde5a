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
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_STREAM = 0x1;
  static final int END_STREAM_AND_HEADERS = 0x5;

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
        int code = ByteBuffer.wrap(payload).getInt();
        assertThat(code).as("error code of the reset of stream %d", head[3]).isEqualTo(errorCode);
        streams.add(head[3]);
      }
    }
    return streams;
  }

  /** A frame as read: its type, flags and payload length. */
  record Frame(int type, int flags, int length) {
  }

  /** The frames of {@code stream}, up to the one that ends it (END_STREAM or RST_STREAM); other streams' skipped. */
  List<Frame> frames(int stream) throws IOException {
    List<Frame> frames = new ArrayList<>();
    while (true) {
      int[] head = readHead();
      in.readFully(new byte[head[0]]);
      if (head[3] != stream) {
        continue;
      }
      Frame frame = new Frame(head[1], head[2], head[0]);
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
