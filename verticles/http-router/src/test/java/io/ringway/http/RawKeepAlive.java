package io.ringway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One raw HTTP/1.1 client connection for requests sent one after another: reads each response by its own
 * framing (Content-Length or chunked), so a test sees exactly the head the router sent and whether the
 * connection stayed in sync.
 */
final class RawKeepAlive implements AutoCloseable {

  /** A response as read: its head verbatim, its decoded body, and whether the connection ended it early. */
  record Response(String head, String body, boolean cutOff) {

    int status() {
      return Integer.parseInt(head.substring(9, 12));
    }

    /** The value of {@code name} in the head, or null. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private final Socket socket;
  private final InputStream in;

  RawKeepAlive(int port) throws IOException {
    this(new Socket(RouterFixture.HOST, port));
  }

  /** On a socket connected already (a TLS one, say). */
  RawKeepAlive(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
  }

  /** Sends {@code GET path} and reads its response, 1xx responses before it included in the head. */
  Response get(String path) throws IOException {
    return send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
  }

  /** Sends {@code request} as it is and reads one response. */
  Response send(String request) throws IOException {
    write(request);
    return read();
  }

  /** Sends {@code request}, a HEAD, and reads the head of its answer: no body follows it whatever its framing says. */
  Response sendHead(String request) throws IOException {
    write(request);
    return readHead();
  }

  /** Reads the next response to a HEAD: its head only, since no body follows it whatever its framing says. */
  Response readHead() throws IOException {
    String head = readHeadText();
    return head == null ? new Response("", "", true) : new Response(head, "", false);
  }

  /** Sends {@code bytes} as they are (part of a request, say) and reads nothing. */
  void write(String bytes) throws IOException {
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Reads the next response, 1xx responses before it included in the head. */
  Response read() throws IOException {
    StringBuilder heads = new StringBuilder();
    while (true) {
      String head = readHeadText();
      if (head == null) {
        return new Response(heads.toString(), "", true);
      }
      heads.append(head);
      if (head.charAt(9) != '1') {
        break;
      }
    }
    Response framed = new Response(heads.toString(), "", false);
    // The final head follows the 1xx heads before it, each ending in an empty line.
    int previousEnd = heads.lastIndexOf("\r\n\r\n", heads.length() - 5);
    String head = heads.substring(previousEnd < 0 ? 0 : previousEnd + 4);
    Response last = new Response(head, "", false);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean complete;
    if (last.status() == 204 || last.status() == 304) {
      // No body whatever the head says (RFC 9112 §6.3).
      complete = true;
    } else if ("chunked".equalsIgnoreCase(last.header("transfer-encoding"))) {
      complete = readChunked(body);
    } else if (last.header("content-length") != null) {
      complete = readN(body, Long.parseLong(last.header("content-length")));
    } else {
      complete = readN(body, Long.MAX_VALUE);
    }
    return new Response(framed.head(), body.toString(StandardCharsets.ISO_8859_1), !complete);
  }

  /** Whether the router closed the connection (reads nothing more within the timeout otherwise). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private String readHeadText() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    for (int b; (b = readByte()) >= 0; ) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private boolean readChunked(ByteArrayOutputStream body) throws IOException {
    while (true) {
      String line = readLine();
      if (line == null) {
        return false;
      }
      int semi = line.indexOf(';');
      long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim().toLowerCase(Locale.ROOT), 16);
      if (size == 0) {
        // Trailers, then the empty line.
        for (String trailer; (trailer = readLine()) != null && !trailer.isEmpty(); ) {
        }
        return true;
      }
      if (!readN(body, size) || readLine() == null) {
        return false;
      }
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = readByte()) >= 0; ) {
      if (b == '\n') {
        return line.toString();
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return null;
  }

  private boolean readN(ByteArrayOutputStream body, long n) throws IOException {
    for (long i = 0; i < n; i++) {
      int b = readByte();
      if (b < 0) {
        return n == Long.MAX_VALUE;
      }
      body.write(b);
    }
    return true;
  }

  private int readByte() throws IOException {
    try {
      return in.read();
    } catch (SocketTimeoutException | java.net.SocketException gone) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /**
   * Sends {@code request} on each of {@code count} new connections at once, waits (10 s at most) until {@code held}
   * counts them all held at the upstream, has them answered by {@code release}, and returns the response bodies in
   * the connections' order. The connections are closed.
   */
  static java.util.List<String> burst(int port, int count, String request, java.util.function.IntSupplier held,
                                      Runnable release) throws Exception {
    java.util.List<RawKeepAlive> clients = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        RawKeepAlive client = new RawKeepAlive(port);
        clients.add(client);
        client.write(request);
      }
      Eventually.await("all " + count + " requests held at the upstream at once", java.time.Duration.ofSeconds(10),
          () -> held.getAsInt() == count);
      release.run();
      java.util.List<String> bodies = new java.util.ArrayList<>();
      for (RawKeepAlive client : clients) {
        bodies.add(client.read().body());
      }
      return bodies;
    } finally {
      for (RawKeepAlive client : clients) {
        client.close();
      }
    }
  }
}
