package io.ringway.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ringway.tcp.impl.ProxyHeader;
import io.ringway.tcp.impl.ProxyProtocolParser;
import io.ringway.testkit.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream for tests on plain blocking sockets (one virtual thread per connection), so what it
 * sees does not depend on the transport under test. It can die (every socket reset, listener
 * closed) and come back on the same port.
 */
final class Backend implements AutoCloseable {

  /** What the backend does with one accepted connection. */
  interface Behaviour {
    void serve(Socket socket, Backend backend) throws IOException, InterruptedException;
  }

  final int port;
  final AtomicInteger accepted = new AtomicInteger();
  /** Connections that carried at least one byte: unlike {@link #accepted}, health probes are not in it. */
  final AtomicInteger carried = new AtomicInteger();
  /** PROXY headers received by {@link #proxyEcho}, in arrival order. */
  final BlockingQueue<ProxyHeader> headers = new LinkedBlockingQueue<>();
  private final Behaviour behaviour;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private volatile ServerSocket server;

  private Backend(Behaviour behaviour, int port) {
    this.behaviour = behaviour;
    this.port = port;
  }

  static Backend start(Behaviour behaviour) throws IOException {
    return new Backend(behaviour, Ports.freeTcpPort()).listen();
  }

  /** Echoes every byte; after the client's FIN, echoes the rest, sends FIN and closes. */
  static void echo(Socket socket, Backend backend) throws IOException {
    InputStream in = socket.getInputStream();
    int first = in.read();
    if (first < 0) {
      return;
    }
    backend.carried.incrementAndGet();
    socket.getOutputStream().write(first);
    copy(in, socket.getOutputStream());
    socket.shutdownOutput();
  }

  /** Accepts and never reads: the slowest reader there is. */
  static void sink(Socket socket, Backend backend) throws InterruptedException {
    new CountDownLatch(1).await();
  }

  /** Reads a PROXY header (recorded in {@link #headers}), then echoes like {@link #echo}. */
  static void proxyEcho(Socket socket, Backend backend) throws IOException {
    ProxyProtocolParser parser = new ProxyProtocolParser(ProxyProtocolParser.DEFAULT_MAX_BYTES);
    InputStream in = socket.getInputStream();
    OutputStream out = socket.getOutputStream();
    byte[] buffer = new byte[4096];
    ProxyHeader header = null;
    while (header == null) {
      int n = in.read(buffer);
      if (n < 0) {
        return;
      }
      ByteBuf bytes = Unpooled.wrappedBuffer(buffer, 0, n);
      try {
        header = parser.feed(bytes);
      } catch (Exception malformed) {
        socket.setSoLinger(true, 0);
        return;
      }
      if (header != null) {
        backend.headers.add(header);
        out.write(buffer, bytes.readerIndex(), bytes.readableBytes());
      }
    }
    copy(in, out);
    socket.shutdownOutput();
  }

  private static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[64 << 10];
    long total = 0;
    for (int n; (n = in.read(buffer)) != -1; ) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }

  Backend listen() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    server = socket;
    threads.submit(() -> acceptLoop(socket));
    return this;
  }

  private void acceptLoop(ServerSocket listening) {
    while (!listening.isClosed()) {
      Socket socket;
      try {
        socket = listening.accept();
      } catch (IOException closed) {
        return;
      }
      accepted.incrementAndGet();
      sockets.add(socket);
      threads.submit(() -> {
        try {
          behaviour.serve(socket, this);
        } catch (IOException | InterruptedException ended) {
          // the peer reset, or the backend was killed or closed
        } finally {
          quietClose(socket);
          sockets.remove(socket);
        }
      });
    }
  }

  /** Dies like a crashed process: the listener goes away and every connection is reset. */
  void kill() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      try {
        socket.setSoLinger(true, 0);
      } catch (IOException alreadyClosed) {
        // nothing to reset
      }
      quietClose(socket);
    }
  }

  private static void quietClose(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all that was asked
    }
  }

  @Override
  public void close() throws IOException {
    kill();
    threads.shutdownNow();
  }
}
