package io.ringway.tcp.impl;

import io.ringway.spi.config.TcpListenerConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance's listeners, by name, following config: new ones listen, removed ones stop accepting,
 * changed addresses rebind, other changes apply to the next connection. Established connections are
 * never touched by a change.
 */
final class ListenerSet {

  private static final System.Logger LOG = System.getLogger(ListenerSet.class.getName());

  private final ProxyLoop loop;
  private final NodeShared node;
  private final Map<String, Listener> listeners = new LinkedHashMap<>();
  private final Map<String, ListenerStats> stats = new HashMap<>();
  private boolean draining;

  ListenerSet(ProxyLoop loop, NodeShared node) {
    this.loop = loop;
    this.node = node;
  }

  /**
   * Moves to {@code configs}. New and rebound listeners bind before removed ones close, so an
   * address passed from a removed listener to a new one never stops accepting.
   *
   * @param strict whether a listener that cannot bind fails the whole step (at start) or is only
   *     logged (on reload, where the rest of the config must still apply)
   */
  Future<Void> apply(List<TcpListenerConfig> configs, boolean strict) {
    if (draining) {
      return Future.succeededFuture();
    }
    Map<String, TcpListenerConfig> next = new LinkedHashMap<>();
    configs.forEach(config -> next.put(config.name(), config));
    List<Future<Void>> binds = new ArrayList<>();
    for (TcpListenerConfig config : configs) {
      Listener current = listeners.get(config.name());
      if (current != null && current.sameAddress(config)) {
        current.update(config);
      } else {
        binds.add(bind(config, current, strict));
      }
    }
    Future<Void> bound = strict ? Future.all(binds).mapEmpty() : Future.join(binds).mapEmpty();
    return bound.andThen(done -> {
      List<String> removed = new ArrayList<>(listeners.keySet());
      removed.removeAll(next.keySet());
      for (String name : removed) {
        listeners.remove(name).stopAccepting();
        stats.remove(name);
      }
    });
  }

  private Future<Void> bind(TcpListenerConfig config, Listener replaced, boolean strict) {
    ListenerStats counters = stats.computeIfAbsent(config.name(), name -> new ListenerStats());
    Listener fresh = new Listener(loop, config, counters, node.gauge(config.name()));
    return fresh.listen()
        .onSuccess(listening -> {
          listeners.put(config.name(), fresh);
          if (replaced != null) {
            replaced.stopAccepting();
          }
        })
        .recover(cause -> {
          if (strict) {
            return Future.failedFuture(cause);
          }
          // On reload, a listener that cannot bind keeps its old address if it had one.
          LOG.log(Level.ERROR, cause.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Drain: every listener stops accepting, for good; later configs change clusters only. */
  void stopAccepting() {
    draining = true;
    // Kept in the map (not listening) so their draining connections still show in stats.
    listeners.values().forEach(Listener::unbindAndStopAccepting);
  }

  /** Per listener: name, address, cluster and counters, in config order. */
  JsonArray statsJson() {
    JsonArray array = new JsonArray();
    listeners.values().forEach(listener -> array.add(stats.get(listener.config().name()).toJson()
        .put("listener", listener.config().name())
        .put("host", listener.config().host())
        .put("port", listener.config().port())
        .put("cluster", listener.config().cluster())));
    return array;
  }
}
