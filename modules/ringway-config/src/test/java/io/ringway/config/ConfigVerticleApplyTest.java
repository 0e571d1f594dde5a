package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.ConfigRejected;
import io.ringway.spi.ConfigSnapshot;
import io.ringway.spi.message.ConfigApply;
import io.ringway.spi.message.ConfigApplyResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Addresses#CONFIG_APPLY}: a document from the cluster, run as the version the cluster gave it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class ConfigVerticleApplyTest {

  private final ConfigLoader loader = TestCatalogs.loader();
  private final ConfigSnapshot initial = new ConfigSnapshot(1, loader.parse(new JsonObject()).config(), "test");

  @Test
  void appliesANewerVersionAndPublishesIt(Vertx vertx, VertxTestContext test) {
    List<ConfigSnapshot> published = new ArrayList<>();
    vertx.eventBus().<ConfigSnapshot>localConsumer(Addresses.CONFIG_APPLIED, message -> published.add(message.body()));
    deploy(vertx)
        .compose(deployed -> apply(vertx, 3, new JsonObject().put("admin", new JsonObject().put("port", 9902))))
        .onComplete(test.succeeding(reply -> test.verify(() -> {
          assertThat(reply).isEqualTo(new ConfigApplyResult(true, 3, List.of()));
          assertThat(published).extracting(ConfigSnapshot::version).containsExactly(1L, 3L);
          assertThat(published.get(1).config().admin().port()).isEqualTo(9902);
          assertThat(published.get(1).source()).isEqualTo("PUT /config on test");
          test.completeNow();
        })));
  }

  @Test
  void ignoresAVersionThatIsNotNewer(Vertx vertx, VertxTestContext test) {
    deploy(vertx)
        .compose(deployed -> apply(vertx, 1, new JsonObject().put("admin", new JsonObject().put("port", 9902))))
        .onComplete(test.succeeding(reply -> test.verify(() -> {
          assertThat(reply).isEqualTo(new ConfigApplyResult(false, 1, List.of()));
          test.completeNow();
        })));
  }

  @Test
  void refusesAnInvalidDocumentAndKeepsTheRunningVersion(Vertx vertx, VertxTestContext test) {
    List<ConfigRejected> rejected = new ArrayList<>();
    vertx.eventBus().<ConfigRejected>localConsumer(Addresses.CONFIG_REJECTED, message -> rejected.add(message.body()));
    deploy(vertx)
        .compose(deployed -> apply(vertx, 2, new JsonObject().put("admin", new JsonObject().put("port", 0))))
        .onComplete(test.succeeding(reply -> test.verify(() -> {
          assertThat(reply.applied()).isFalse();
          assertThat(reply.version()).isEqualTo(1);
          assertThat(reply.errors()).extracting(Object::toString)
              .containsExactly("admin.port: expected an integer from 1 to 65535, got 0");
          assertThat(rejected).singleElement().satisfies(r -> assertThat(r.runningVersion()).isEqualTo(1));
          test.completeNow();
        })));
  }

  private Future<String> deploy(Vertx vertx) {
    return vertx.deployVerticle(new ConfigVerticle(loader, null, initial, 1000));
  }

  private static Future<ConfigApplyResult> apply(Vertx vertx, long version, JsonObject document) {
    return vertx.eventBus().<ConfigApplyResult>request(Addresses.CONFIG_APPLY,
        new ConfigApply(version, document, "PUT /config on test")).map(reply -> reply.body());
  }
}
