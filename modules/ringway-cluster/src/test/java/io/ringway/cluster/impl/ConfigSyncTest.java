package io.ringway.cluster.impl;

import static io.ringway.cluster.TestMembers.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.config.ConfigVerticle;
import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.ConfigPut;
import io.ringway.spi.message.ConfigStored;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PUT /config's cluster half: validation, compare-and-set between writers, and a late joiner catching up. */
class ConfigSyncTest {

  private static final ConfigSnapshot FILE = Nodes.snapshot("admin: {port: 9901}\n");

  private final Nodes nodes = new Nodes(2);

  @AfterEach
  void close() throws Exception {
    nodes.close();
  }

  @Test
  void ofTwoWritersOfTheSameVersionOneWinsAndALateJoinerGetsItsDocument() throws Exception {
    Vertx first = node(0);

    Future<Object> left = put(first, "admin: {port: 9902}\n", 1L);
    Future<Object> right = put(first, "admin: {port: 9903}\n", 1L);
    await(Future.join(left, right).otherwiseEmpty());

    List<Future<Object>> outcomes = List.of(left, right);
    assertThat(outcomes).filteredOn(Future::succeeded).hasSize(1);
    Future<Object> loser = outcomes.stream().filter(Future::failed).findFirst().orElseThrow();
    assertThat(loser.cause()).isInstanceOfSatisfying(ReplyException.class, e -> {
      assertThat(e.failureCode()).isEqualTo(409);
      assertThat(new JsonObject(e.getMessage()).getLong("currentVersion")).isEqualTo(2);
    });
    int winningPort = left.succeeded() ? 9902 : 9903;
    ConfigSnapshot applied = awaitVersion(first, 2);
    assertThat(applied.config().admin().port()).isEqualTo(winningPort);

    Vertx late = node(1);
    assertThat(awaitVersion(late, 2).config().admin().port()).isEqualTo(winningPort);
  }

  @Test
  void anInvalidDocumentIsRefusedWithEveryErrorAndNothingIsStored() throws Exception {
    Vertx vertx = node(0);

    Future<Object> invalid = put(vertx, "admin: {port: 0}\nbogus: true\n", null);
    await(invalid.otherwiseEmpty());

    assertThat(invalid.cause()).isInstanceOfSatisfying(ReplyException.class, e -> {
      assertThat(e.failureCode()).isEqualTo(400);
      List<Object> errors = new JsonObject(e.getMessage()).getJsonArray("errors").getList();
      assertThat(errors).hasSize(2).first().isEqualTo("admin.port: expected an integer from 1 to 65535, got 0");
      assertThat(errors.get(1).toString()).startsWith("bogus: unknown key (known: transport, ");
    });
    assertThat(await(put(vertx, "admin: {port: 9904}\n", 1L))).isEqualTo(new ConfigStored(2));
  }

  /** A member with a config verticle (started from the file as version 1) and the config sync. */
  private Vertx node(int index) throws Exception {
    var member = nodes.member(index);
    Vertx vertx = nodes.vertx();
    await(vertx.deployVerticle(new ConfigVerticle(Nodes.LOADER, null, FILE, 1000)));
    await(vertx.deployVerticle(new ConfigSyncVerticle(member, Nodes.LOADER)));
    return vertx;
  }

  private static Future<Object> put(Vertx vertx, String text, Long ifVersion) {
    return vertx.eventBus().request(Addresses.CLUSTER_CONFIG_PUT, new ConfigPut(text, ifVersion)).map(reply -> reply.body());
  }

  private static ConfigSnapshot awaitVersion(Vertx vertx, long version) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      ConfigSnapshot current = (ConfigSnapshot) await(vertx.eventBus().request(Addresses.CONFIG_CURRENT, null)).body();
      if (current.version() == version || System.nanoTime() > deadline) {
        assertThat(current.version()).isEqualTo(version);
        return current;
      }
      Thread.sleep(50);
    }
  }
}
