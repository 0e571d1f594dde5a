package io.ringway.cluster.impl;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.ringway.cluster.TestMembers;
import io.ringway.config.ConfigLoader;
import io.ringway.config.ConfigResult;
import io.ringway.config.PluginCatalog;
import io.ringway.spi.ConfigError;
import io.ringway.spi.ConfigSnapshot;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cluster nodes inside one test JVM: a real Hazelcast member each, and a plain Vert.x each (the registry
 * and config sync talk to Hazelcast directly; a clustered event bus is the launcher's business).
 */
final class Nodes implements AutoCloseable {

  static final ConfigLoader LOADER = new ConfigLoader(PluginCatalog.load(), Map.of(), Map.of());

  private final TestMembers members;
  private final List<HazelcastInstance> hazelcasts = new ArrayList<>();
  private final List<Vertx> vertxes = new ArrayList<>();

  Nodes(int count) {
    this.members = TestMembers.of(count);
  }

  /** Starts member {@code index} of the cluster. */
  HazelcastInstance member(int index) {
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(
        HazelcastSetup.build(members.member(index, "test", "secret"), UUID.randomUUID().toString()));
    hazelcasts.add(hazelcast);
    return hazelcast;
  }

  Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    return vertx;
  }

  /** The snapshot of a valid YAML document, as version 1. */
  static ConfigSnapshot snapshot(String yaml) {
    List<ConfigError> errors = new ArrayList<>();
    ConfigResult result = LOADER.parse(ConfigLoader.parseDocument(yaml, errors));
    if (!errors.isEmpty() || !result.isValid()) {
      throw new IllegalArgumentException(errors + " " + result.errors());
    }
    return new ConfigSnapshot(1, result.config(), "test");
  }

  @Override
  public void close() throws Exception {
    for (Vertx vertx : vertxes) {
      TestMembers.await(vertx.close());
    }
    hazelcasts.forEach(hazelcast -> hazelcast.getLifecycleService().terminate());
  }
}
