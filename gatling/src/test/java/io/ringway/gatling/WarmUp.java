package io.ringway.gatling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A few thousand requests of every kind before Gatling measures: a fresh JVM interprets the proxy's code
 * until the JIT has compiled it, which would otherwise show up as the run's worst percentiles. Also proves
 * the routes answer and that the TLS listener negotiates h2 by ALPN, so a broken setup fails here, by name.
 */
final class WarmUp {

  /** Enough for the JIT to compile the request path; the time bound keeps a starved machine from waiting long. */
  private static final int REQUESTS = 6000;
  private static final Duration AT_MOST = Duration.ofSeconds(10);
  private static final int CLIENTS = 8;
  private static final byte[] BODY = RingwaySimulation.BODY_4K;

  private WarmUp() {
  }

  static void run(SelfSignedTls tls) throws Exception {
    HttpClient cleartext = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(tls.clientContext()).build();
    List<HttpRequest> requests = List.of(
        HttpRequest.newBuilder(URI.create(Target.http() + "/")).build(),
        HttpRequest.newBuilder(URI.create(Target.http() + "/echo")).POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build(),
        HttpRequest.newBuilder(URI.create(Target.http() + "/bus/echo"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build());
    HttpRequest overTls = HttpRequest.newBuilder(URI.create(Target.https() + "/echo"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(BODY)).build();
    AtomicLong sent = new AtomicLong();
    AtomicLong overH2 = new AtomicLong();
    long started = System.nanoTime();
    long until = started + AT_MOST.toNanos();
    List<Future<?>> clients = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < CLIENTS; i++) {
        int client = i;
        clients.add(threads.submit(() -> {
          while (System.nanoTime() < until && sent.get() < REQUESTS) {
            boolean tlsTurn = client == 0;
            HttpRequest request = tlsTurn ? overTls : requests.get((int) (sent.get() % requests.size()));
            HttpResponse<byte[]> response = (tlsTurn ? h2 : cleartext)
                .send(request, HttpResponse.BodyHandlers.ofByteArray());
            String what = request.method() + " " + request.uri();
            if (response.statusCode() != 200) {
              throw new IllegalStateException("warm-up: " + what + " answered " + response.statusCode());
            }
            if (request.method().equals("POST") && !Arrays.equals(response.body(), BODY)) {
              throw new IllegalStateException("warm-up: " + what + " did not echo the body");
            }
            if (response.version() == HttpClient.Version.HTTP_2) {
              overH2.incrementAndGet();
            }
            sent.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> client : clients) {
        client.get();
      }
    }
    if (overH2.get() == 0) {
      throw new IllegalStateException("warm-up: the TLS listener " + Target.https() + " did not negotiate h2");
    }
    System.out.printf("ringway-load: warmed up with %d requests (%d over h2) in %.1f s%n", sent.get(), overH2.get(),
        (System.nanoTime() - started) / 1e9);
  }
}
