package io.ringway.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** Sends one case on a fresh connection and reads until the answer is whole, the server closes, or time is up. */
final class Exchange {

  /** What the client saw; the backend's side is added later (see {@link ProxyRun}). */
  record Observation(ResponseStream stream, boolean anyByte, boolean closed, String excerpt) {
  }

  /** How much of the raw answer the report keeps: enough for a status line or a stray HTTP/0.9 body. */
  private static final int EXCERPT = 48;

  /** After a 101 or non-HTTP bytes nothing more can be parsed: this is how long the rest may still take. */
  private static final long SETTLE_MILLIS = 300;

  private final long timeoutMillis;

  Exchange(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  Observation run(int port, FuzzCase fuzzCase) throws IOException {
    byte[] data = new byte[64 * 1024];
    int length = 0;
    boolean closed = false;
    ResponseStream stream = new ResponseStream();
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(RouterFixture.HOST, port), 2000);
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
      try {
        socket.getOutputStream().write(fuzzCase.bytes());
        socket.getOutputStream().flush();
      } catch (IOException refusedMidWrite) {
        // The proxy closed before taking all the bytes; what it said before closing is still to be read.
      }
      InputStream in = socket.getInputStream();
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) left);
        int n;
        try {
          n = in.read(data, length, data.length - length);
        } catch (SocketTimeoutException timeout) {
          break;
        } catch (IOException reset) {
          closed = true;
          break;
        }
        if (n < 0) {
          closed = true;
          break;
        }
        length += n;
        if (length == data.length) {
          data = Arrays.copyOf(data, data.length * 2);
        }
        stream = ResponseStream.parse(data, length, fuzzCase.head());
        if (stream.done(fuzzCase.requests()) && !stream.upgraded) {
          break;
        }
        if (stream.upgraded || stream.foreign) {
          deadline = Math.min(deadline, System.nanoTime() + SETTLE_MILLIS * 1_000_000);
        }
      }
    }
    return new Observation(stream, length > 0, closed,
        io.ringway.testkit.fuzz.Escape.readable(Arrays.copyOf(data, Math.min(length, EXCERPT))));
  }
}
