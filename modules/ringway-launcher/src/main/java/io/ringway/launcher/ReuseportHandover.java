package io.ringway.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Whether stopping to listen hands queued connections over. When a node closes a listening socket of a
 * SO_REUSEPORT group, the kernel resets the connections still in that socket's accept queue unless
 * {@code net.ipv4.tcp_migrate_req} is 1 (Linux 5.14+: they move to another listener of the group). Blocking
 * (reads /proc): call off the event loop.
 */
final class ReuseportHandover {

  private static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
  private static final List<Path> LISTEN_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  /** {@code st} of a LISTEN socket in /proc/net/tcp. */
  private static final String TCP_LISTEN = "0A";

  private ReuseportHandover() {
  }

  /**
   * One warning naming the ports that another listener shares while {@code tcp_migrate_req} is 0, or null
   * when there is nothing to say (migration on, no shared port, or no /proc to read).
   */
  static String warning(Collection<Integer> ports) {
    try {
      if (!Files.exists(MIGRATE_REQ) || !Files.readString(MIGRATE_REQ).trim().equals("0")) {
        return null;
      }
      TreeSet<Integer> shared = new TreeSet<>();
      for (int port : ports) {
        if (port > 0 && listeners(port) > 1) {
          shared.add(port);
        }
      }
      return shared.isEmpty() ? null : "draining: port(s) " + shared + " have another listener (a node taking over?)"
          + " but net.ipv4.tcp_migrate_req is 0: connections waiting in this node's accept queue when it stops"
          + " listening are reset; set it to 1 (Linux 5.14+, per network namespace) to hand them to the other listener";
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
  }

  /** LISTEN sockets on {@code port} in this network namespace, IPv4 and IPv6. */
  static int listeners(int port) throws IOException {
    String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
    int count = 0;
    for (Path table : LISTEN_TABLES) {
      if (!Files.exists(table)) {
        continue;
      }
      for (String line : Files.readAllLines(table)) {
        String[] fields = line.trim().split("\\s+");
        // sl local_address rem_address st ...
        if (fields.length > 3 && fields[1].endsWith(hexPort) && fields[3].equals(TCP_LISTEN)) {
          count++;
        }
      }
    }
    return count;
  }
}
