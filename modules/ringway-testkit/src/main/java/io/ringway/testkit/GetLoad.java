package io.ringway.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded load of keep-alive GETs, the way {@code wrk -cN} makes one: {@code connections} loops, each sending
 * its next request when the last one is answered, until {@code total} were sent. Counts answers by status, and
 * failures (no answer at all) apart; bounded in count and, by {@link #await}, in time.
 */
public final class GetLoad implements AutoCloseable {

  private final HttpClient client;
  private final RequestOptions request;
  private final int total;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final LongAdder failures = new LongAdder();
  private final CountDownLatch done;
  private volatile String firstFailure;
  private volatile boolean stopped;

  public GetLoad(Vertx vertx, int port, String uri, int connections, int total) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    this.request = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(HttpMethod.GET).setURI(uri);
    this.total = total;
    this.done = new CountDownLatch(connections);
    for (int i = 0; i < connections; i++) {
      next();
    }
  }

  private void next() {
    if (stopped || sent.incrementAndGet() > total) {
      done.countDown();
      return;
    }
    client.request(request).compose(r -> r.send().compose(response -> response.body().map(response.statusCode())))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            statuses.computeIfAbsent(ar.result(), s -> new LongAdder()).increment();
          } else {
            failures.increment();
            if (firstFailure == null) {
              firstFailure = String.valueOf(ar.cause());
            }
          }
          answered.incrementAndGet();
          next();
        });
  }

  /** Requests answered (or failed) so far. */
  public int answered() {
    return answered.get();
  }

  /** Waits until {@code count} requests were answered; false when {@code limit} passed first. */
  public boolean awaitAnswered(int count, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (answered.get() < count) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  /** Sends no more requests; those in flight finish, and then {@link #await} returns. */
  public void stop() {
    stopped = true;
  }

  /** Waits for the whole load; false when {@code limit} passed first. */
  public boolean await(Duration limit) throws InterruptedException {
    return done.await(limit.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Answers by status code. */
  public Map<Integer, Long> statuses() {
    Map<Integer, Long> copy = new java.util.TreeMap<>();
    statuses.forEach((status, count) -> copy.put(status, count.sum()));
    return copy;
  }

  /** Answers outside 2xx plus requests with no answer at all. */
  public long lost() {
    long lost = failures.sum();
    for (Map.Entry<Integer, Long> entry : statuses().entrySet()) {
      if (entry.getKey() / 100 != 2) {
        lost += entry.getValue();
      }
    }
    return lost;
  }

  public String describe() {
    return "answers " + statuses() + ", failures " + failures.sum()
        + (firstFailure == null ? "" : " (first: " + firstFailure + ")");
  }

  @Override
  public void close() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
  }
}
