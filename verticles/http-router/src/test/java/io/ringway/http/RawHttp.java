package io.ringway.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw bytes over a socket: for requests no well-behaved client would send. */
final class RawHttp {

  private RawHttp() {
  }

  /** Sends {@code request} and returns what came back until the server closed or 5 s passed. */
  static String exchange(int port, String request) throws IOException {
    try (Socket socket = new Socket(RouterFixture.HOST, port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return readUntilClose(socket.getInputStream());
    }
  }

  /**
   * Sends {@code request}, then shuts the socket's sending side (what {@code nc -N} or socat does at the end of its
   * input), and returns what came back until the server closed or 5 s passed.
   */
  static String exchangeHalfClosed(int port, String request) throws IOException {
    try (Socket socket = new Socket(RouterFixture.HOST, port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return readUntilClose(socket.getInputStream());
    }
  }

  /** Reads byte by byte until what was read ends with {@code end}, leaving the connection open. */
  static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder read = new StringBuilder();
    while (!read.toString().endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed before " + end.strip() + ", after: " + read);
      }
      read.append((char) b);
    }
    return read.toString();
  }

  static String readUntilClose(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException timeout) {
      out.write("<timeout>".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
