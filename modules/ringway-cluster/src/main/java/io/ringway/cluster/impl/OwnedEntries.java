package io.ringway.cluster.impl;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A cluster-wide map whose entries each belong to the member that wrote them: a member writes and
 * removes only its own, and when a member leaves (or is declared dead after the failure timeout) every
 * survivor removes that member's entries, so a crashed node's endpoints never outlive it. Values are
 * JSON ({@link HazelcastJsonValue}) carrying {@code owner} and {@code group}, so queries run on the
 * members holding the data.
 *
 * <p>Every Hazelcast call blocks, so each runs in {@code executeBlocking}; listener callbacks, which
 * Hazelcast runs on its event threads, are handed to the owning verticle's context.
 */
final class OwnedEntries {

  private static final System.Logger LOG = System.getLogger(OwnedEntries.class.getName());
  static final String OWNER = "owner";
  static final String GROUP = "group";

  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, HazelcastJsonValue> map;
  private final String self;
  private UUID entryListener;
  private UUID membershipListener;

  private OwnedEntries(Context context, HazelcastInstance hazelcast, IMap<String, HazelcastJsonValue> map) {
    this.context = context;
    this.hazelcast = hazelcast;
    this.map = map;
    this.self = hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** Opens the map {@code mapName} for a verticle running on {@code context}; creating the proxy may talk to other members. */
  static Future<OwnedEntries> open(Context context, HazelcastInstance hazelcast, String mapName) {
    return context.executeBlocking(() -> new OwnedEntries(context, hazelcast, hazelcast.<String, HazelcastJsonValue>getMap(mapName)));
  }

  /** This member's id, the {@code owner} of what it writes. */
  String self() {
    return self;
  }

  /**
   * Calls {@code changed} with the group of every entry written or removed anywhere in the cluster, and
   * {@code membersLeft} after a departed member's entries have been removed; both on the context.
   */
  Future<Void> listen(Consumer<String> changed, Runnable membersLeft) {
    return context.executeBlocking(() -> {
      entryListener = map.addEntryListener(new GroupListener(group -> context.runOnContext(v -> changed.accept(group))), true);
      membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          String owner = event.getMember().getUuid().toString();
          context.runOnContext(v -> removeOwnedBy(owner).onComplete(removed -> membersLeft.run()));
        }
      });
      return null;
    });
  }

  /** Writes (or overwrites) this member's entry {@code id} of {@code group}. */
  Future<Void> put(String group, String id, JsonObject value) {
    JsonObject owned = value.copy().put(OWNER, self).put(GROUP, group);
    return context.executeBlocking(() -> {
      map.set(key(group, id), new HazelcastJsonValue(owned.encode()));
      return null;
    });
  }

  /** Removes this member's entry {@code id} of {@code group}, if any. */
  Future<Void> remove(String group, String id) {
    return context.executeBlocking(() -> {
      map.delete(key(group, id));
      return null;
    });
  }

  /** Every entry of {@code group}, whoever owns it. */
  Future<List<JsonObject>> group(String group) {
    return context.executeBlocking(() -> map.values(Predicates.equal(GROUP, group)).stream()
        .map(value -> new JsonObject(value.getValue())).toList());
  }

  /** Every group that has entries now. */
  Future<List<String>> groups() {
    return context.executeBlocking(() -> map.values().stream()
        .map(value -> new JsonObject(value.getValue()).getString(GROUP)).distinct().toList());
  }

  /** Removes what a departed member owned; every survivor does it, which is harmless and needs no leader. */
  private Future<Void> removeOwnedBy(String owner) {
    return context.<Void>executeBlocking(() -> {
      map.removeAll(Predicates.equal(OWNER, owner));
      return null;
    }).onFailure(e -> LOG.log(Level.WARNING, "cluster: cannot remove entries of departed member " + owner + ": " + e));
  }

  /** Removes this member's own entries and stops listening: a graceful leave. */
  Future<Void> close() {
    return context.executeBlocking(() -> {
      // A member already stopped (or crashed) has nothing left to take back; the survivors sweep its entries.
      if (!hazelcast.getLifecycleService().isRunning()) {
        return null;
      }
      if (entryListener != null) {
        map.removeEntryListener(entryListener);
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      }
      map.removeAll(Predicates.equal(OWNER, self));
      return null;
    });
  }

  private String key(String group, String id) {
    return group + "/" + self + "/" + id;
  }

  /** Reports the group of each changed entry; a removed entry's group comes from its old value. */
  private record GroupListener(Consumer<String> changed) implements EntryAddedListener<String, HazelcastJsonValue>,
      EntryUpdatedListener<String, HazelcastJsonValue>, EntryRemovedListener<String, HazelcastJsonValue>,
      EntryEvictedListener<String, HazelcastJsonValue>, EntryExpiredListener<String, HazelcastJsonValue> {

    @Override
    public void entryAdded(EntryEvent<String, HazelcastJsonValue> event) {
      report(event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, HazelcastJsonValue> event) {
      report(event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, HazelcastJsonValue> event) {
      report(event.getOldValue());
    }

    @Override
    public void entryEvicted(EntryEvent<String, HazelcastJsonValue> event) {
      report(event.getOldValue());
    }

    @Override
    public void entryExpired(EntryEvent<String, HazelcastJsonValue> event) {
      report(event.getOldValue());
    }

    private void report(HazelcastJsonValue value) {
      if (value != null) {
        changed.accept(new JsonObject(value.getValue()).getString(GROUP));
      }
    }
  }
}
