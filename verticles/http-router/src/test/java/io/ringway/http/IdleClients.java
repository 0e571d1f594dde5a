package io.ringway.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process holding {@code count} idle client connections to {@code host:port}: connected, nothing
 * sent. Run apart from the JVM under test so that only the server ends count in its heap. Prints
 * {@code connected <count>} once all are up, holds them until its stdin closes, then closes them.
 */
public final class IdleClients {

  private IdleClients() {
  }

  private static void get(SocketChannel channel, ByteBuffer get, ByteBuffer in) throws IOException {
    channel.write(get.duplicate());
    in.clear();
    while (!new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).endsWith("\r\n\r\nok")) {
      if (channel.read(in) < 0) {
        throw new IOException("closed before the response ended: " + new String(in.array(), 0, in.position(),
            StandardCharsets.US_ASCII));
      }
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
  }

  public static void main(String[] args) throws IOException {
    InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int count = Integer.parseInt(args[2]);
    // "request": each sends one GET first and reads its response (up to its end, "\r\n\r\nok"): an idle
    // keep-alive connection rather than one that never sent anything.
    boolean request = args.length > 3 && args[3].equals("request");
    // Then, optionally, this many more rounds of one GET on each connection, after a pause of this many ms each.
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    long pauseMillis = args.length > 5 ? Long.parseLong(args[5]) : 0;
    List<SocketChannel> open = new ArrayList<>(count);
    ByteBuffer get = ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: idle\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer in = ByteBuffer.allocate(4096);
    try {
      for (int i = 0; i < count; i++) {
        SocketChannel channel = SocketChannel.open(target);
        open.add(channel);
        if (request) {
          get(channel, get, in);
        }
      }
      for (int round = 0; round < rounds; round++) {
        sleep(pauseMillis);
        for (SocketChannel channel : open) {
          get(channel, get, in);
        }
      }
      System.out.println("connected " + open.size());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Held until the parent closes our stdin (or dies).
      }
    } finally {
      for (SocketChannel channel : open) {
        channel.close();
      }
    }
  }
}
