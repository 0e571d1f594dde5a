package io.ringway.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * One proxy's side of a run. The backend's counts for this proxy's source address are read before each of its
 * exchanges, and an exchange is charged what they grew by until the next one: a forward that lands after the
 * client gave up (a pipelined request forwarded after a 400, say) still counts against the case that caused it.
 */
final class ProxyRun {

  final String name;
  final int port;
  private final MarkerBackend.Counts counts;
  private final IntSupplier unhandled;
  private final List<int[]> marks = new ArrayList<>();
  private final List<Exchange.Observation> observations = new ArrayList<>();

  ProxyRun(String name, int port, MarkerBackend.Counts counts, IntSupplier unhandled) {
    this.name = name;
    this.port = port;
    this.counts = counts;
    this.unhandled = unhandled;
  }

  void send(Exchange exchange, FuzzCase fuzzCase) throws IOException {
    marks.add(mark());
    observations.add(exchange.run(port, fuzzCase));
    if (pipelines(fuzzCase)) {
      settle();
    }
  }

  /** Whether the bytes hold a second request line: the proxy may forward it after the client read its answers. */
  private static boolean pipelines(FuzzCase fuzzCase) {
    String text = new String(fuzzCase.bytes(), StandardCharsets.ISO_8859_1);
    int first = text.indexOf(" HTTP/");
    return first >= 0 && text.indexOf(" HTTP/", first + 1) >= 0;
  }

  /** Waits (at most 300 ms) until this proxy's forwards stop arriving, so a late one is charged to its case. */
  private void settle() {
    long end = System.nanoTime() + 300_000_000L;
    int[] last = mark();
    long stableSince = System.nanoTime();
    while (System.nanoTime() < end && System.nanoTime() - stableSince < 60_000_000L) {
      LockSupport.parkNanos(10_000_000L);
      int[] now = mark();
      if (now[0] != last[0] || now[1] != last[1]) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
  }

  /** The answers, in case order; call once, after the last late forward had its time to land. */
  List<Answer> answers() {
    marks.add(mark());
    List<Answer> answers = new ArrayList<>(observations.size());
    for (int i = 0; i < observations.size(); i++) {
      int[] before = marks.get(i);
      int[] after = marks.get(i + 1);
      answers.add(Answer.classify(observations.get(i), after[0] - before[0], after[1] - before[1],
          after[2] - before[2]));
    }
    return answers;
  }

  private int[] mark() {
    return new int[] {counts.seen().get(), counts.completed().get(), unhandled.getAsInt()};
  }
}
