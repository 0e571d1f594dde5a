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
 * connection is closed quietly, as Vert.x closes it.
 *
 * <p>With a {@link Parking}, a connection idle for {@code parkAfter} is offered to it first: parked, it leaves this
 * order (the parked list times it from then on); not parkable then (a request still open, a tunnel), it waits for
 * its timeout in a second order, so no connection is looked at twice. Loop thread only.
 */
final class Http1IdleTimeout {

  /** Where a connection idle for {@code parkAfter} may go instead of waiting here with its whole Vert.x connection. */
  interface Parking {
    /**
     * @param ctx the connection's {@link Http1Drain} context
     * @param lastActivity when it last read or wrote ({@link System#nanoTime})
     * @return whether it was parked (its drain handler is gone); false leaves it as it was
     */
    boolean park(ChannelHandlerContext ctx, long lastActivity);
  }

  private final EventLoop loop;
  /** Long.MAX_VALUE for no timeout. */
  private final long timeoutNanos;
  /** Long.MAX_VALUE when nothing parks. */
  private final long parkNanos;
  private final Parking parking;
  /** How long a connection stays in {@link #fresh}: until it parks, or times out when nothing parks. */
  private final long freshNanos;
  /** Connections not idle for {@link #parkNanos} yet, in order of last activity. */
  private final Order fresh = new Order();
  /** Connections idle longer that could not be parked, in order of last activity. */
  private final Order unparked = new Order();
  private ScheduledFuture<?> sweep;
  /** When {@link #sweep} runs ({@link System#nanoTime}). */
  private long sweepAt;

  /**
   * @param timeoutSeconds 0 for none
   * @param parkAfterNanos 0, or {@code parking} null, for no parking
   */
  Http1IdleTimeout(EventLoop loop, long timeoutSeconds, long parkAfterNanos, Parking parking) {
    this.loop = loop;
    this.timeoutNanos = timeoutSeconds > 0 ? TimeUnit.SECONDS.toNanos(timeoutSeconds) : Long.MAX_VALUE;
    boolean parks = parking != null && parkAfterNanos > 0 && parkAfterNanos < timeoutNanos;
    this.parkNanos = parks ? parkAfterNanos : Long.MAX_VALUE;
    this.parking = parks ? parking : null;
    this.freshNanos = Math.min(parkNanos, timeoutNanos);
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
    while (fresh.first != null && now - fresh.first.lastActivity >= freshNanos) {
      Entry entry = fresh.first;
      entry.remove();
      if (now - entry.lastActivity >= timeoutNanos) {
        entry.ctx.close();
      } else if (!parking.park(entry.ctx, entry.lastActivity) && entry.ctx.channel().isActive()) {
        entry.linkAtEnd(unparked);
      }
    }
    while (unparked.first != null && now - unparked.first.lastActivity >= timeoutNanos) {
      Entry expired = unparked.first;
      expired.remove();
      expired.ctx.close();
    }
    scheduleSweep(now);
  }

  private void scheduleSweep(long now) {
    long next = Math.min(due(fresh.first, freshNanos), due(unparked.first, timeoutNanos));
    if (next == Long.MAX_VALUE || sweep != null && sweepAt - next <= 0) {
      return;
    }
    // Only earlier than the sweep scheduled when that one is for an unparked connection's timeout.
    if (sweep != null) {
      sweep.cancel(false);
    }
    sweepAt = next;
    sweep = loop.schedule(this::sweep, Math.max(0, next - now), TimeUnit.NANOSECONDS);
  }

  /** When {@code entry} is due after {@code after}, or Long.MAX_VALUE for never. */
  private static long due(Entry entry, long after) {
    return entry == null || after == Long.MAX_VALUE ? Long.MAX_VALUE : entry.lastActivity + after;
  }

  /** A list of entries in order of last activity. */
  private static final class Order {
    private Entry first;
    private Entry last;
  }

  /** One connection's place in the order of last activity. */
  final class Entry {
    private final ChannelHandlerContext ctx;
    private long lastActivity;
    private Entry previous;
    private Entry next;
    /** The order it is in; null when in none. */
    private Order order;

    private Entry(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    /** Something moved: the timeout runs from now. */
    void touch() {
      lastActivity = System.nanoTime();
      if (order == fresh && fresh.last == this) {
        return;
      }
      remove();
      linkAtEnd(fresh);
      // A sweep already scheduled fires no later than this one needs (it reschedules for whoever is first then),
      // unless it is for an unparked connection's timeout, later than this one's park.
      if (sweep == null || sweepAt - (lastActivity + freshNanos) > 0) {
        scheduleSweep(lastActivity);
      }
    }

    private void linkAtEnd(Order to) {
      order = to;
      if (to.last == null) {
        to.first = this;
      } else {
        to.last.next = this;
        previous = to.last;
      }
      to.last = this;
    }

    /** No longer timed (the connection closed or was parked). */
    void remove() {
      if (order == null) {
        return;
      }
      if (previous == null) {
        order.first = next;
      } else {
        previous.next = next;
      }
      if (next == null) {
        order.last = previous;
      } else {
        next.previous = previous;
      }
      order = null;
      previous = null;
      next = null;
    }
  }
}
