package io.ringway.http;

import io.ringway.spi.upstream.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving HTTP/1 upstream: answers each request head with the bytes its script for the request's path
 * says, on plain blocking sockets (one thread per connection, never on a Vert.x loop). Keeps the connection
 * open for the next request unless the script closes or resets it. Request bodies are not read: scripted
 * requests carry none.
 */
final class ScriptedBackend implements AutoCloseable {

  /** What to do with one request: write bytes, close, reset, in any order. */
  @FunctionalInterface
  interface Script {
    void answer(Socket socket, OutputStream out) throws IOException;
  }

  /** Writes {@code text} (ISO-8859-1) and flushes. */
  static Script bytes(String text) {
    return (socket, out) -> {
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    };
  }

  /** The steps in order. */
  static Script sequence(Script... steps) {
    return (socket, out) -> {
      for (Script step : steps) {
        step.answer(socket, out);
      }
    };
  }

  /** Waits {@code millis}: bytes written after it arrive in a read of their own. */
  static Script pause(long millis) {
    return (socket, out) -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /** Writes {@code text}, then closes the connection. */
  static Script bytesThenClose(String text) {
    return (socket, out) -> {
      bytes(text).answer(socket, out);
      socket.shutdownOutput();
      socket.close();
    };
  }

  /** Writes {@code text}, lets the router read it, then resets the connection (RST, not FIN). */
  static Script bytesThenReset(String text) {
    return (socket, out) -> {
      bytes(text).answer(socket, out);
      // An RST that overtakes unread bytes discards them: the router would see a plain close.
      pause(100).answer(socket, out);
      socket.setSoLinger(true, 0);
      socket.close();
    };
  }

  /**
   * Writes {@code text} for a connection's first request and closes it at its next one, unanswered: an upstream whose
   * close of an idle keep-alive connection crossed the next request the router sent on it.
   */
  static Script onceThenCloseAtTheNext(String text) {
    Set<Socket> answered = ConcurrentHashMap.newKeySet();
    return (socket, out) -> {
      if (answered.add(socket)) {
        bytes(text).answer(socket, out);
      } else {
        socket.close();
      }
    };
  }

  final AtomicInteger connections = new AtomicInteger();
  /** Connections the router closed or reset (read EOF or an error while waiting for a request). */
  final AtomicInteger closedByRouter = new AtomicInteger();
  /** Request lines in the order they arrived. */
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  ScriptedBackend() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName(RouterFixture.HOST));
    Thread acceptor = new Thread(this::accept, "scripted-backend-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Answers requests for {@code path} (exact, query excluded) with {@code script}; the last one set wins. */
  ScriptedBackend on(String path, Script script) {
    scripts.put(path, script);
    return this;
  }

  Endpoint endpoint() {
    return Endpoint.of(RouterFixture.HOST, server.getLocalPort());
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        open.add(socket);
        Thread serve = new Thread(() -> serve(socket), "scripted-conn");
        serve.setDaemon(true);
        serve.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (!socket.isClosed()) {
        String head = readHead(in);
        if (head == null) {
          closedByRouter.incrementAndGet();
          return;
        }
        String line = head.substring(0, head.indexOf('\r'));
        requests.add(line);
        String path = line.split(" ")[1];
        int query = path.indexOf('?');
        Script script = scripts.get(query < 0 ? path : path.substring(0, query));
        if (script == null) {
          bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").answer(socket, out);
        } else {
          script.answer(socket, out);
        }
      }
    } catch (IOException gone) {
      // The router reset the connection, or the script closed it.
      if (!socket.isClosed()) {
        closedByRouter.incrementAndGet();
      }
    } finally {
      open.remove(socket);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    for (int b; (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
  }
}
