package io.ringway.admin.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.NodeInfo;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;

/** Asks the node about itself on {@link Addresses#NODE_INFO}, giving up after a short timeout. */
public final class NodeInfoClient {

  private final EventBus bus;
  private final DeliveryOptions options;

  public NodeInfoClient(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeout.toMillis());
  }

  /**
   * The node's answer; fails when nobody answers in time or the answer is not a {@link NodeInfo} (whose
   * fields are all there), so the handlers never fail half-way through a response.
   */
  public Future<NodeInfo> fetch() {
    return bus.request(Addresses.NODE_INFO, null, options).compose(reply -> {
      if (reply.body() instanceof NodeInfo info) {
        return Future.succeededFuture(info);
      }
      return Future.failedFuture(Addresses.NODE_INFO + " replied an incomplete answer: " + reply.body());
    });
  }
}
