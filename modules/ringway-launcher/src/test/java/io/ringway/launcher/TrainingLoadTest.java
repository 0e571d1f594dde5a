package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The warm-up's and the training run's load: bounded in time whatever the server it talks to does. */
class TrainingLoadTest {

  /**
   * A server that answers a byte a second never lets a read time out, so a client would wait for the end of its
   * answer forever: the load gives up on it once the grace after its deadline passed, and says where it was.
   */
  @Test
  void aServerThatTricklesItsAnswerCannotHoldTheLoadPastItsGrace() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket trickler = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().name("trickler").start(() -> trickle(trickler, accepted));
      TrainingLoad load = new TrainingLoad(trickler.getLocalPort(), 0, 0, false, 2);

      long started = System.nanoTime();
      load.run(started + Duration.ofMillis(500).toNanos());
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      // The deadline, the grace (a read timeout and a second) and the second given to the closed clients to end,
      // with room for a loaded machine; the trickler alone would hold a client for over an hour.
      assertThat(took).isLessThan(Duration.ofSeconds(15));
      assertThat(load.requests()).isZero();
      assertThat(load.abandoned()).as("the clients the load gave up on")
          .anyMatch(client -> client.startsWith("train-get-") && client.contains("TrainingLoad.line"));
      assertThat(load.failures()).isGreaterThanOrEqualTo(load.abandoned().size());
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  /** Accepts every connection and sends each a status line with no end, one byte a second. */
  private static void trickle(ServerSocket server, List<Socket> accepted) {
    try {
      while (true) {
        Socket socket = server.accept();
        accepted.add(socket);
        Thread.ofPlatform().daemon().name("trickle-" + socket.getPort()).start(() -> {
          try (socket) {
            OutputStream out = socket.getOutputStream();
            for (byte b : "HTTP/1.1 200 OK and then some more and more".repeat(100).getBytes(StandardCharsets.US_ASCII)) {
              out.write(b);
              out.flush();
              Thread.sleep(1_000);
            }
          } catch (IOException | InterruptedException ended) {
            // the client closed it, or the test is over
          }
        });
      }
    } catch (IOException closed) {
      // the test closed the server
    }
  }
}
