package io.ringway.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/** Blocking loopback clients, independent of the transport under test. */
final class Clients {

  static final String HOST = "127.0.0.1";
  private static final int SLICE = 64 << 10;

  private Clients() {
  }

  /**
   * What one streamed exchange saw. Payloads come from a per-connection seed, so bytes delivered
   * on the wrong connection fail the checksum too.
   */
  record Transfer(long sent, long sentCrc, long received, long receivedCrc) {
    boolean intact() {
      return sent == received && sentCrc == receivedCrc;
    }
  }

  /**
   * Sends {@code bytes} pseudo-random bytes, half-closes, and reads until the server's FIN: the
   * full echo must still arrive after the client's FIN.
   */
  static Transfer stream(int port, long seed, long bytes) throws Exception {
    try (Socket socket = new Socket(HOST, port)) {
      socket.setSoTimeout(60_000);
      CompletableFuture<long[]> written = CompletableFuture.supplyAsync(() -> {
        try {
          return writeAll(socket.getOutputStream(), seed, bytes, socket);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, runnable -> Thread.ofVirtual().start(runnable));
      CRC32C crc = new CRC32C();
      long received = 0;
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[SLICE];
      for (int n; (n = in.read(buffer)) != -1; ) {
        crc.update(buffer, 0, n);
        received += n;
      }
      long[] sent = written.get(60, TimeUnit.SECONDS);
      return new Transfer(sent[0], sent[1], received, crc.getValue());
    }
  }

  private static long[] writeAll(OutputStream out, long seed, long bytes, Socket socket) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    CRC32C crc = new CRC32C();
    byte[] slice = new byte[SLICE];
    long sent = 0;
    while (sent < bytes) {
      int length = (int) Math.min(SLICE, bytes - sent);
      random.nextBytes(slice);
      crc.update(slice, 0, length);
      out.write(slice, 0, length);
      sent += length;
    }
    out.flush();
    socket.shutdownOutput();
    return new long[] {sent, crc.getValue()};
  }

  /** Writes a line and reads exactly as many bytes back; the connection stays open. */
  static String roundTrip(Socket socket, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    byte[] back = socket.getInputStream().readNBytes(bytes.length);
    return new String(back, StandardCharsets.UTF_8);
  }

  static Socket connect(int port) throws IOException {
    Socket socket = new Socket(HOST, port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Whether the server ended the connection: EOF or a reset, within the socket's timeout. */
  static boolean closedByPeer(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return reset.getMessage() != null && reset.getMessage().contains("reset");
    }
  }
}
