package io.ringway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that sends but never reads must stall once the socket buffers on the way are full: the
 * echoes then hold no more than a write queue, however much the client offers.
 */
class BackpressureTest {

  /** Far more than loopback socket buffers hold (rmem_max 32 MiB here), far less than the heap. */
  private static final long OFFERED = 256L << 20;
  private static final int SLICE = 1 << 20;

  private final DemoFixture demo = new DemoFixture();

  @BeforeEach
  void start() throws Exception {
    demo.start(1);
  }

  @AfterEach
  void close() throws Exception {
    demo.close();
  }

  @Test
  void tcpEchoStopsReadingWhileTheClientDoesNotRead() throws Exception {
    try (Socket socket = new Socket(DemoFixture.HOST, demo.tcpPort())) {
      assertThat(bytesWrittenBeforeStall(socket, new byte[0])).isLessThan(OFFERED);
    }
  }

  @Test
  void httpEchoStopsReadingTheBodyWhileTheClientDoesNotRead() throws Exception {
    String head = "POST /echo HTTP/1.1\r\nHost: demo\r\nContent-Length: " + OFFERED + "\r\n\r\n";
    try (Socket socket = new Socket(DemoFixture.HOST, demo.httpPort())) {
      assertThat(bytesWrittenBeforeStall(socket, head.getBytes(StandardCharsets.US_ASCII))).isLessThan(OFFERED);
    }
  }

  /** Writes until the kernel refuses more for a second (or everything was taken), never reading. */
  private static long bytesWrittenBeforeStall(Socket socket, byte[] head) throws Exception {
    AtomicLong written = new AtomicLong();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        out.write(head);
        byte[] slice = DemoFixture.randomBytes(SLICE);
        while (written.get() < OFFERED) {
          out.write(slice);
          written.addAndGet(slice.length);
        }
      } catch (Exception closedByTheTest) {
        // the test closes the socket under a blocked write
      }
    });
    long last = -1;
    for (int stillFor = 0; stillFor < 5 && !writer.isDone(); ) {
      Thread.sleep(200);
      long now = written.get();
      stillFor = now == last ? stillFor + 1 : 0;
      last = now;
    }
    return written.get();
  }
}
