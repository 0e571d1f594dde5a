package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.Admission;
import io.ringway.upstream.EndpointLease;
import io.ringway.upstream.PendingRequest;
import io.ringway.upstream.PickResult;
import io.ringway.upstream.Refusal;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A cluster's queue of requests waiting for room under its limits (Envoy's pending requests, HAProxy's queue), on
 * one loop. First in, first out; a cancelled waiter leaves in O(1), so clients that go away cost nothing later.
 * A waiter whose turn comes holds a reservation ({@link #woken}) until its pick runs as a loop task, so no request
 * arriving in between takes its room.
 */
final class PendingRequests {

  private final UpstreamClusterImpl cluster;
  private final Executor loop;
  private Waiter head;
  private Waiter tail;
  int size;
  /** Waiters handed a turn whose pick has not run yet: room promised to them. */
  int woken;
  long total;
  long overflows;
  long cancelled;

  PendingRequests(UpstreamClusterImpl cluster, Executor loop) {
    this.cluster = cluster;
    this.loop = loop;
  }

  /**
   * Queues a request the breaker refused with {@code refusal}, or refuses it: with that refusal when there is no
   * loop to run queued picks on, with {@link Refusal#MAX_PENDING_REQUESTS} (counted) when {@code limit} are waiting.
   */
  Admission offer(Refusal refusal, int limit, String hashKey, List<Endpoint> tried, Consumer<PickResult> then) {
    if (loop == null) {
      return refusal;
    }
    if (size >= limit) {
      overflows++;
      return Refusal.MAX_PENDING_REQUESTS;
    }
    Waiter waiter = new Waiter(hashKey, tried, then);
    if (tail == null) {
      head = waiter;
    } else {
      tail.next = waiter;
      waiter.prev = tail;
    }
    tail = waiter;
    size++;
    total++;
    return waiter;
  }

  /** Hands turns to waiters while the breaker has room for them beside those already woken. */
  void wake(CircuitBreaker breaker) {
    while (head != null && breaker.hasRoom(woken)) {
      Waiter waiter = head;
      unlink(waiter);
      waiter.state = State.WOKEN;
      woken++;
      loop.execute(waiter);
    }
  }

  private void unlink(Waiter waiter) {
    if (waiter.prev == null) {
      head = waiter.next;
    } else {
      waiter.prev.next = waiter.next;
    }
    if (waiter.next == null) {
      tail = waiter.prev;
    } else {
      waiter.next.prev = waiter.prev;
    }
    waiter.prev = null;
    waiter.next = null;
    size--;
  }

  private enum State { QUEUED, WOKEN, DONE }

  private final class Waiter implements PendingRequest, Runnable {
    private final String hashKey;
    private final List<Endpoint> tried;
    private final Consumer<PickResult> then;
    private Waiter prev;
    private Waiter next;
    private State state = State.QUEUED;

    Waiter(String hashKey, List<Endpoint> tried, Consumer<PickResult> then) {
      this.hashKey = hashKey;
      this.tried = tried;
      this.then = then;
    }

    /** Its turn, as a loop task: the room promised becomes a lease, or passes on to the next waiter. */
    @Override
    public void run() {
      woken--;
      if (state != State.WOKEN) {
        cluster.wakeWaiters();
        return;
      }
      state = State.DONE;
      PickResult result = cluster.pick(hashKey, tried);
      if (!(result instanceof EndpointLease)) {
        cluster.wakeWaiters();
      }
      then.accept(result);
    }

    @Override
    public void cancel() {
      if (state == State.QUEUED) {
        unlink(this);
        cancelled++;
      } else if (state == State.WOKEN) {
        cancelled++;
      }
      state = State.DONE;
    }

    @Override
    public String toString() {
      return "pending request (" + state + ")";
    }
  }
}
