package io.ringway.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
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

  public static void main(String[] args) throws IOException {
    InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    int count = Integer.parseInt(args[2]);
    List<SocketChannel> open = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        open.add(SocketChannel.open(target));
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
