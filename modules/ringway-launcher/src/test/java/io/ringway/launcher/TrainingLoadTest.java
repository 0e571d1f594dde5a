package io.ringway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's and the training run's load: the heads real clients send, bounded in time whatever the server it talks
 * to does.
 */
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

  /**
   * The load sends every head of its lists (a browser's, curl's, h2load's, an API client's...) and reads every shape
   * of answer they get: a HEAD's length without a body, a 304 without one, chunked, delimited by the close of an
   * HTTP/1.0 connection. A client that waited for a body that never comes would time out and count as a failure.
   */
  @Test
  void theLoadSendsEveryKindOfHeadAndReadsEveryShapeOfAnswer() throws Exception {
    Set<String> heads = ConcurrentHashMap.newKeySet();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().name("answers").start(() -> answerEach(server, heads));
      TrainingLoad load = new TrainingLoad(server.getLocalPort(), 0, 0, false, 2);

      load.run(System.nanoTime() + Duration.ofMillis(1_500).toNanos());

      assertThat(load.firstFailure()).as("the first failed request").isNull();
      assertThat(load.failures()).isZero();
      assertThat(load.requests()).isGreaterThan(50);
      List<String> sent = Stream.of(TrainingRequests.KEEP_ALIVE, TrainingRequests.ONE_PER_CONNECTION,
              TrainingRequests.WITH_BODY)
          .flatMap(List::stream)
          .map(request -> head(new String(request.bytes(), StandardCharsets.US_ASCII)))
          .toList();
      assertThat(heads).as("the request heads the server saw").containsAll(sent);
    }
  }

  private static String head(String request) {
    return request.substring(0, request.indexOf("\r\n\r\n") + 4);
  }

  /** Reads requests (bodies by length or chunked) and answers each in the shape its head asks for; a thread a connection. */
  private static void answerEach(ServerSocket server, Set<String> heads) {
    try {
      while (true) {
        Socket socket = server.accept();
        Thread.ofPlatform().daemon().name("answer-" + socket.getPort()).start(() -> {
          try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (String head = readHead(in); head != null; head = readHead(in)) {
              heads.add(head);
              String lower = head.toLowerCase(Locale.ROOT);
              if (lower.contains("\r\ncontent-length:") && lower.contains("\r\ntransfer-encoding:")) {
                // RFC 9112 §6.3: a request with both is refused, and the connection closed
                out.write(ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
              }
              readBody(in, head);
              if (head.startsWith("HEAD ")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n"));
              } else if (lower.contains("\r\nif-none-match:")) {
                out.write(ascii("HTTP/1.1 304 Not Modified\r\nETag: \"v42\"\r\n\r\n"));
              } else if (head.contains(" HTTP/1.0\r\n")) {
                out.write(ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close\n"));
                return;
              } else if (head.contains(" /api/")) {
                out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{}\n\r\n0\r\n\r\n"));
              } else {
                String close = lower.contains("\r\nconnection: close") ? "Connection: close\r\n" : "";
                out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n" + close + "\r\nok\n"));
              }
              out.flush();
            }
          } catch (IOException ended) {
            // the client closed it, or the test is over
          }
        });
      }
    } catch (IOException closed) {
      // the test closed the server
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (int b = in.read(); b >= 0; b = in.read()) {
      head.append((char) b);
      if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
        return head.toString();
      }
    }
    return null;
  }

  private static void readBody(InputStream in, String head) throws IOException {
    Matcher length = Pattern.compile("(?i)\r\ncontent-length: *([0-9]+)").matcher(head);
    if (length.find()) {
      in.skipNBytes(Long.parseLong(length.group(1)));
    } else if (head.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked")) {
      for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
        in.skipNBytes(size + 2);
      }
      in.skipNBytes(2);
    }
  }

  private static long chunkSize(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("ended in a chunk size");
      }
      line.append((char) b);
    }
    return Long.parseLong(line.toString().strip(), 16);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
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
