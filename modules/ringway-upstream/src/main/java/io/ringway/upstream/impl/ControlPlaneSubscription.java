package io.ringway.upstream.impl;

import io.ringway.spi.Addresses;
import io.ringway.spi.upstream.EndpointsUpdate;
import io.ringway.spi.upstream.HealthTransition;
import io.ringway.upstream.UpstreamCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * Feeds a cluster from the event bus. Consumers are registered on the cluster's own context, so
 * their handlers run on its loop and never race the data path.
 */
final class ControlPlaneSubscription {

  private static final System.Logger LOG = System.getLogger(ControlPlaneSubscription.class.getName());

  private final UpstreamCluster cluster;
  private MessageConsumer<Object> endpoints;
  private MessageConsumer<Object> health;

  ControlPlaneSubscription(UpstreamCluster cluster) {
    this.cluster = cluster;
  }

  Future<Void> register(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    Promise<Void> registered = Promise.promise();
    context.runOnContext(v -> {
      if (endpoints != null) {
        registered.fail(new IllegalStateException("cluster " + cluster.name() + " is already subscribed"));
        return;
      }
      endpoints = vertx.eventBus().localConsumer(Addresses.endpoints(cluster.name()),
          message -> apply(message, "endpoints update", EndpointsUpdate.class,
              update -> cluster.updateEndpoints(update.endpoints())));
      health = vertx.eventBus().localConsumer(Addresses.health(cluster.name()),
          message -> apply(message, "health transition", HealthTransition.class, cluster::applyHealth));
      Future.all(endpoints.completion(), health.completion()).<Void>mapEmpty().onComplete(registered);
    });
    return registered.future();
  }

  Future<Void> unregister() {
    if (endpoints == null) {
      return Future.succeededFuture();
    }
    Future<Void> done = Future.all(endpoints.unregister(), health.unregister()).mapEmpty();
    endpoints = null;
    health = null;
    return done;
  }

  private <T> void apply(Message<Object> message, String what, Class<T> type, Consumer<T> action) {
    try {
      action.accept(ControlMessages.decode(message.body(), type));
    } catch (RuntimeException e) {
      // one bad message must not kill the consumer: the next whole set or transition repairs the state
      LOG.log(Level.WARNING, "cluster " + cluster.name() + ": ignored malformed " + what + ": " + e.getMessage());
    }
  }
}
