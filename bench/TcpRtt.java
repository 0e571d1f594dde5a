import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * Round-trip latency of small messages through a TCP proxy, for bench/transports.sh.
 *
 * <p>Runs an echo server on 127.0.0.1:ECHO_PORT (the proxy's upstream) and one client connection to
 * 127.0.0.1:PROXY_PORT that sends SIZE bytes, waits for the SIZE bytes to come back, and repeats: WARMUP
 * unrecorded round trips, then up to COUNT recorded ones or MAX_SECONDS, whichever ends first. One message in
 * flight at a time, TCP_NODELAY on every socket. Prints one line:
 * {@code rtt n=N size=SIZE p50_us=.. p90_us=.. p99_us=.. max_us=..}. Exit 1 if the path does not echo.
 *
 * <p>usage: java TcpRtt.java PROXY_PORT ECHO_PORT [COUNT=20000] [WARMUP=2000] [SIZE=64] [MAX_SECONDS=5]
 */
public class TcpRtt {
  public static void main(String[] args) throws Exception {
    int proxyPort = Integer.parseInt(args[0]);
    int echoPort = Integer.parseInt(args[1]);
    int count = args.length > 2 ? Integer.parseInt(args[2]) : 20000;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    double maxSeconds = args.length > 5 ? Double.parseDouble(args[5]) : 5;
    InetAddress loopback = InetAddress.getByName("127.0.0.1");

    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(loopback, echoPort), 16);
    Thread acceptor = new Thread(() -> acceptLoop(server), "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();

    byte[] message = new byte[size];
    Arrays.fill(message, (byte) 'r');
    byte[] reply = new byte[size];
    long[] samples = new long[count];
    int recorded = 0;
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(5000);
      socket.connect(new InetSocketAddress(loopback, proxyPort), 5000);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      long deadline = 0;
      for (int i = 0; i < warmup + count; i++) {
        if (i == warmup) {
          deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        }
        long t0 = System.nanoTime();
        out.write(message);
        out.flush();
        in.readFully(reply);
        long t1 = System.nanoTime();
        if (i >= warmup) {
          samples[recorded++] = t1 - t0;
          if (t1 > deadline) {
            break;
          }
        }
      }
    } catch (IOException e) {
      System.out.println("rtt error " + e);
      System.exit(1);
    }
    if (recorded == 0) {
      System.out.println("rtt error no samples");
      System.exit(1);
    }
    long[] sorted = Arrays.copyOf(samples, recorded);
    Arrays.sort(sorted);
    System.out.printf("rtt n=%d size=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f%n", recorded, size,
        percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99), sorted[recorded - 1] / 1e3);
    server.close();
  }

  /** Nearest-rank percentile, in microseconds. */
  private static double percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
  }

  private static void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket connection = server.accept();
        connection.setTcpNoDelay(true);
        Thread echo = new Thread(() -> echo(connection), "echo");
        echo.setDaemon(true);
        echo.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket connection) {
    byte[] buffer = new byte[65536];
    try (connection) {
      InputStream in = connection.getInputStream();
      OutputStream out = connection.getOutputStream();
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // the client went away
    }
  }
}
