package io.ringway.upstream;

import io.ringway.spi.upstream.Endpoint;

/**
 * One connection or request holding an endpoint, from pick to close. It counts as pending until
 * {@link #connected()} and as active until it ends; exactly one of {@link #connectFailed()} or
 * {@link #release()} ends it, and later calls are ignored so a double close cannot skew the counts.
 * Use it on the loop that picked it.
 */
public non-sealed interface EndpointLease extends PickResult, Admission {

  /** The endpoint to connect to. */
  Endpoint endpoint();

  /** The upstream connection is open: no longer pending, and the endpoint's failure streak ends. */
  void connected();

  /** The connect failed or timed out: ends the lease and counts toward ejecting the endpoint. */
  void connectFailed();

  /**
   * The connect failed for {@code cause}: as {@link #connectFailed()}, except that a refused connect (nothing
   * listens at the endpoint: it died or is restarting) ejects the endpoint at once when outlier detection is
   * on, rather than after {@code consecutiveConnectFailures}, so no later pick wastes a try on it.
   */
  void connectFailed(Throwable cause);

  /** The connection or request is over, or was abandoned before connecting: ends the lease. */
  void release();

  /** Whether the lease has ended. */
  boolean isReleased();
}
