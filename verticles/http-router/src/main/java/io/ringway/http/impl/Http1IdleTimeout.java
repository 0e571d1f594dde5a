package io.ringway.http.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of one listener's HTTP/1 connections on one loop (issue 17), in place of the
 * {@code IdleStateHandler} Vert.x gives every connection: a handler, its context and a scheduled task (~240 bytes of
 * each idle keep-alive connection, and a task to schedule and cancel per connection), and a promise per write to
 * learn when it completed. Every connection here has the same timeout, so they are kept in order of last activity (a
 * touch moves one to the end) and one timer per listener and loop expires the first. Activity is what
 * {@link Http1Drain} sees pass: every message read and every write, those of a tunnelled upgrade included. An expired
 * connection is closed quietly, as Vert.x closes it. Loop thread only.
 */
final class Http1IdleTimeout {

  private final EventLoop loop;
  private final long timeoutNanos;
  private Entry first;
  private Entry last;
  private ScheduledFuture<?> sweep;

  /** @param timeoutSeconds greater than 0 */
  Http1IdleTimeout(EventLoop loop, long timeoutSeconds) {
    this.loop = loop;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
  }

  /** Times the connection of {@code ctx} from now. */
  Entry add(ChannelHandlerContext ctx) {
    Entry entry = new Entry(ctx);
    entry.touch();
    return entry;
  }

  private void sweep() {
    sweep = null;
    long now = System.nanoTime();
    while (first != null && now - first.lastActivity >= timeoutNanos) {
      Entry expired = first;
      expired.remove();
      expired.ctx.close();
    }
    scheduleSweep(now);
  }

  private void scheduleSweep(long now) {
    if (sweep == null && first != null) {
      sweep = loop.schedule(this::sweep, first.lastActivity + timeoutNanos - now, TimeUnit.NANOSECONDS);
    }
  }

  /** One connection's place in the order of last activity. */
  final class Entry {
    private final ChannelHandlerContext ctx;
    private long lastActivity;
    private Entry previous;
    private Entry next;
    private boolean linked;

    private Entry(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    /** Something moved: the timeout runs from now. */
    void touch() {
      lastActivity = System.nanoTime();
      if (linked && last == this) {
        return;
      }
      remove();
      linked = true;
      if (last == null) {
        first = this;
      } else {
        last.next = this;
        previous = last;
      }
      last = this;
      // A sweep already scheduled fires no later than this one needs: it reschedules for whoever is first then.
      scheduleSweep(lastActivity);
    }

    /** No longer timed (the connection closed). */
    void remove() {
      if (!linked) {
        return;
      }
      linked = false;
      if (previous == null) {
        first = next;
      } else {
        previous.next = next;
      }
      if (next == null) {
        last = previous;
      } else {
        next.previous = previous;
      }
      previous = null;
      next = null;
    }
  }
}
