package io.ringway.http.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.config.AccessLogConfig;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appender's promise: a stalled destination costs dropped lines, never a waiting caller. */
class AccessLogWriterTest {

  private static final AccessLogFormat FORMAT = AccessLogFormat.compile("{method} {uri} {status} {requestId}");

  @Test
  void aStalledDestinationDropsLinesBeyondTheQueueWithoutBlocking(@TempDir Path dir) throws Exception {
    // Opening a FIFO for writing blocks until a reader opens it: the writer thread is stuck, as on a hung disk.
    Path fifo = dir.resolve("access.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    AccessLogWriter writer = AccessLogWriter.acquire(new AccessLogConfig(fifo.toString(), "{uri}", 4));
    try {
      List<Boolean> accepted = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        accepted.add(writer.offer(entry("/" + i, 200, "id-" + i), FORMAT));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      assertThat(accepted).containsExactly(true, true, true, true, false, false, false, false, false, false);

      try (BufferedReader reader = new BufferedReader(new InputStreamReader(new FileInputStream(fifo.toFile()),
          StandardCharsets.UTF_8))) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          lines.add(reader.readLine());
        }
        assertThat(lines).containsExactly("GET /0 200 id-0", "GET /1 200 id-1", "GET /2 200 id-2", "GET /3 200 id-3");
      }
    } finally {
      writer.release();
    }
  }

  @Test
  void everyFieldFormatsAndClientTextCannotForgeLines() {
    AccessLogFormat all = AccessLogFormat.compile(String.join("|", AccessLogConfig.FIELDS.stream()
        .map(field -> "{" + field + "}").toList()));
    StringBuilder line = new StringBuilder();
    all.append(line, new AccessLogEntry(0, "10.0.0.1", "POST", "/a?b=1", "/a", "HTTP/2", "h:1", 201, 5, 7,
        12_000_000, "r", "10.0.0.2:80", "id", "ua\nfake \"line\\\u00ff", "4bf92f3577b34da6a3ce929d0e0e4736"));
    assertThat(line).hasToString("1970-01-01T00:00:00Z|10.0.0.1|POST|/a?b=1|/a|HTTP/2|h:1|201|5|7|12|r|10.0.0.2:80|id"
        + "|ua\\x0Afake \\x22line\\x5C\\xFF|4bf92f3577b34da6a3ce929d0e0e4736");
    line.setLength(0);
    FORMAT.append(line, entry("/x", 0, null));
    assertThat(line).hasToString("GET /x 0 -");
  }

  private static AccessLogEntry entry(String uri, int status, String requestId) {
    return new AccessLogEntry(0, null, "GET", uri, uri, "HTTP/1.1", null, status, 0, 0, 0, null, null, requestId, null, null);
  }
}
