package io.ringway.upstream.impl;

import io.ringway.spi.upstream.Endpoint;
import io.ringway.upstream.EndpointLease;

/** A lease's three states; every counter moves exactly once per transition. */
final class LeaseImpl implements EndpointLease {

  private enum Phase { PENDING, CONNECTED, ENDED }

  private final UpstreamClusterImpl cluster;
  private final EndpointState state;
  private final Endpoint endpoint;
  private Phase phase = Phase.PENDING;

  LeaseImpl(UpstreamClusterImpl cluster, EndpointState state) {
    this.cluster = cluster;
    this.state = state;
    this.endpoint = state.endpoint;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public void connected() {
    if (phase == Phase.PENDING) {
      phase = Phase.CONNECTED;
      cluster.onConnected(state);
    }
  }

  @Override
  public void connectFailed() {
    connectFailed(null);
  }

  @Override
  public void connectFailed(Throwable cause) {
    if (phase == Phase.PENDING) {
      phase = Phase.ENDED;
      cluster.onConnectFailed(state, ConnectRefusal.is(cause));
    } else {
      release();
    }
  }

  @Override
  public void release() {
    if (phase != Phase.ENDED) {
      boolean wasPending = phase == Phase.PENDING;
      phase = Phase.ENDED;
      cluster.onReleased(state, wasPending);
    }
  }

  @Override
  public boolean isReleased() {
    return phase == Phase.ENDED;
  }

  @Override
  public String toString() {
    return "lease(" + endpoint.address() + ", " + phase + ")";
  }
}
