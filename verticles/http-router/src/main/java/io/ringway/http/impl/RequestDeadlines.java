package io.ringway.http.impl;

import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one route's forwarded requests on one instance, which all have the route's {@code timeout}: one
 * Vert.x timer for all of them instead of one per request. A timer per request allocated ~260 B and added and removed
 * an entry of the loop's scheduled-task heap every time (issue 17). Requests join in start order, so the first one
 * always expires first, and a finished request leaves its place in O(1). The timer is not cancelled when the last
 * request finishes: one after another on a quiet route would then each schedule one again; it fires, finds nothing
 * due, and is set again only for a request still waiting. Loop thread only.
 */
final class RequestDeadlines {

  /** A request waiting for its deadline; the exchange is its own entry, so waiting allocates nothing. */
  abstract static class Entry {
    private Entry previous;
    private Entry next;
    private long expiresAt;
    private RequestDeadlines queue;

    /**
     * The deadline passed: called once, on the loop, unless {@link #cancelDeadline} came first; {@code from} is the
     * queue it waited in (it is in none now).
     */
    abstract void expired(RequestDeadlines from);

    /** The queue it waits in; null for none. */
    final RequestDeadlines waitingIn() {
      return queue;
    }

    /** Takes this entry out of its queue; nothing happens if it is in none. */
    final void cancelDeadline() {
      if (queue != null) {
        queue.unlink(this);
      }
    }
  }

  /**
   * The router instance's context: its timers fire there, on its loop, even when the first request is added from
   * outside any Vert.x context (the byte-level path runs in Netty's handlers; a timer set there would get a context,
   * and maybe a loop, of its own).
   */
  private final ContextInternal context;
  private final long timeoutNanos;
  private Entry first;
  private Entry last;
  private long timer = -1;

  RequestDeadlines(ContextInternal context, long timeoutMillis) {
    this.context = context;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
  }

  /** Starts {@code entry}'s deadline: the timeout from now. */
  void add(Entry entry) {
    entry.cancelDeadline();
    entry.expiresAt = System.nanoTime() + timeoutNanos;
    entry.queue = this;
    entry.previous = last;
    if (last == null) {
      first = entry;
    } else {
      last.next = entry;
    }
    last = entry;
    if (timer < 0) {
      schedule(timeoutNanos);
    }
  }

  private void sweep() {
    timer = -1;
    long now = System.nanoTime();
    while (first != null && first.expiresAt - now <= 0) {
      Entry expired = first;
      unlink(expired);
      expired.expired(this);
    }
    if (first != null && timer < 0) {
      schedule(first.expiresAt - now);
    }
  }

  /** Rounded up: a sweep that came early would find nothing to expire and have to come again. */
  private void schedule(long nanos) {
    timer = context.setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), id -> sweep());
  }

  private void unlink(Entry entry) {
    if (entry.previous == null) {
      first = entry.next;
    } else {
      entry.previous.next = entry.next;
    }
    if (entry.next == null) {
      last = entry.previous;
    } else {
      entry.next.previous = entry.previous;
    }
    entry.previous = null;
    entry.next = null;
    entry.queue = null;
  }
}
