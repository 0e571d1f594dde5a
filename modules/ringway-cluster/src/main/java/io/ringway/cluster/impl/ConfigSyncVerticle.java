package io.ringway.cluster.impl;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigError;
import io.ringway.spi.message.ConfigApply;
import io.ringway.spi.message.ConfigApplyResult;
import io.ringway.spi.message.ConfigPut;
import io.ringway.spi.message.ConfigStored;
import io.ringway.spi.message.MessageCodecs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Config propagation. {@code PUT /config} (on {@link Addresses#CLUSTER_CONFIG_PUT}) is validated here, on
 * the node that received it, then stored in one cluster map entry with the next version by
 * compare-and-set: of two writers that read the same version, one wins and the other gets 409 with the
 * version now current, never a silent overwrite. Every member, the writer included, applies each stored
 * version through its config verticle ({@link Addresses#CONFIG_APPLY}); a member that joins later applies
 * the current one at start.
 *
 * <p>Every node starts from its file as version 1, so cluster versions start at 2 and always supersede it.
 * The stored document is the raw one: each node overlays its own environment and system properties. The map
 * entry holds the {@link ConfigApply} the members run, in its JSON form.
 */
public final class ConfigSyncVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ConfigSyncVerticle.class.getName());
  static final String MAP = "ringway.config";
  static final String KEY = "current";
  /** The version every node's own file runs as. */
  private static final long FILE_VERSION = 1;

  private final HazelcastInstance hazelcast;
  private final ConfigLoader loader;
  private IMap<String, String> map;
  private UUID listener;

  /** @param loader validates documents as startup does, with this node's overrides */
  public ConfigSyncVerticle(HazelcastInstance hazelcast, ConfigLoader loader) {
    this.hazelcast = hazelcast;
    this.loader = loader;
  }

  @Override
  public Future<?> start() {
    MessageCodecs.registerAll(vertx);
    return vertx.eventBus().localConsumer(Addresses.CLUSTER_CONFIG_PUT, this::put).completion()
        // listen first, then read: a version stored in between arrives twice, and the second is ignored as not newer
        .compose(registered -> vertx.executeBlocking(() -> {
          map = hazelcast.getMap(MAP);
          listener = map.addEntryListener(new Stored(), true);
          return map.get(KEY);
        }))
        .onSuccess(current -> {
          if (current != null) {
            apply(current);
          }
        });
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      if (listener != null && hazelcast.getLifecycleService().isRunning()) {
        map.removeEntryListener(listener);
      }
      return null;
    });
  }

  private void put(Message<Object> message) {
    if (!(message.body() instanceof ConfigPut request)) {
      message.fail(400, Addresses.CLUSTER_CONFIG_PUT + " takes a ConfigPut, got " + message.body());
      return;
    }
    List<ConfigError> errors = new ArrayList<>();
    JsonObject document = ConfigLoader.parseDocument(request.text(), errors);
    if (document != null) {
      ConfigResult result = loader.parse(document);
      errors.addAll(result.errors());
    }
    if (!errors.isEmpty()) {
      JsonArray list = new JsonArray();
      errors.forEach(error -> list.add(error.toString()));
      message.fail(400, new JsonObject().put("errors", list).encode());
      return;
    }
    String source = "PUT /config on " + hazelcast.getCluster().getLocalMember().getAddress();
    vertx.executeBlocking(() -> compareAndSet(document, request.ifVersion(), source)).onComplete(stored -> {
      if (stored.failed()) {
        message.fail(503, "cluster map unavailable: " + stored.cause().getMessage());
      } else if (!stored.result().stored()) {
        // A failure carries a string: the admin reads this JSON back for its 409 answer.
        message.fail(409, new JsonObject().put("currentVersion", stored.result().version()).encode());
      } else {
        LOG.log(Level.INFO, "cluster: config version {0} stored ({1})", stored.result().version(), source);
        message.reply(new ConfigStored(stored.result().version()));
      }
    });
  }

  /** What a compare-and-set did: stored as {@code version}, or refused with {@code version} current. */
  private record Cas(boolean stored, long version) {
  }

  /**
   * Stores {@code document} as the version after the current one, unless another writer got there first
   * or the caller expected another version. Blocking.
   */
  private Cas compareAndSet(JsonObject document, Long ifVersion, String source) {
    String old = map.get(KEY);
    long current = versionOf(old);
    if (ifVersion != null && ifVersion != current) {
      return new Cas(false, current);
    }
    long next = current + 1;
    String value = new ConfigApply(next, document, source).toJson().encode();
    // IMap.replace(key, expected, new) compares serialized values: a CAS without the CP subsystem.
    boolean stored = old == null ? map.putIfAbsent(KEY, value) == null : map.replace(KEY, old, value);
    return stored ? new Cas(true, next) : new Cas(false, versionOf(map.get(KEY)));
  }

  /** The version of a stored entry; the file's when there is none yet. */
  private static long versionOf(String stored) {
    return stored == null ? FILE_VERSION : ConfigApply.fromJson(new JsonObject(stored)).version();
  }

  /** Hands a stored version to this node's config verticle, which validates it with this node's overrides. */
  private void apply(String stored) {
    ConfigApply request;
    try {
      request = ConfigApply.fromJson(new JsonObject(stored));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cluster: ignored a malformed config entry: " + e.getMessage());
      return;
    }
    vertx.eventBus().<ConfigApplyResult>request(Addresses.CONFIG_APPLY, request, new DeliveryOptions().setLocalOnly(true))
        .onComplete(reply -> {
          if (reply.failed()) {
            LOG.log(Level.WARNING, "cluster: config version " + request.version() + " not applied: " + reply.cause());
          } else if (!reply.result().body().errors().isEmpty()) {
            LOG.log(Level.WARNING, "cluster: config version " + request.version()
                + " is invalid on this node; version " + reply.result().body().version() + " stays");
          }
        });
  }

  /** Stored versions, seen on Hazelcast's event threads and handed to this verticle's context. */
  private final class Stored implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      context.runOnContext(v -> apply(event.getValue()));
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      context.runOnContext(v -> apply(event.getValue()));
    }
  }
}
