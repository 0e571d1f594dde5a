package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.NodePhase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthAndReadinessTest {

  private final AdminFixture admin = new AdminFixture();

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void healthzIsOkEvenWhenNobodyAnswersNodeInfo() throws Exception {
    admin.start(null);

    HttpResponse<Buffer> response = admin.get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsString()).isEqualTo("ok");
  }

  @Test
  void readyFollowsThePhaseTheNodeReports() throws Exception {
    AtomicReference<NodePhase> phase = new AtomicReference<>(NodePhase.STARTING);
    admin.answerNodeInfo(() -> AdminFixture.info(phase.get(), Instant.now()));
    admin.start(null);

    assertReady(admin.get("/ready"), 503, false, "STARTING");
    phase.set(NodePhase.READY);
    assertReady(admin.get("/ready"), 200, true, "READY");
    phase.set(NodePhase.DRAINING);
    assertReady(admin.get("/ready"), 503, false, "DRAINING");
  }

  @Test
  void readyIs503WithUnknownPhaseWhenNobodyListensOnNodeInfo() throws Exception {
    admin.start(null);

    assertReady(admin.get("/ready"), 503, false, "unknown");
  }

  @Test
  void readyGivesUpAfterAboutASecondWhenTheNodeDoesNotAnswer() throws Exception {
    admin.vertx.eventBus().consumer(Addresses.NODE_INFO, message -> {
      // a wedged node: takes the request, never replies
    });
    admin.start(null);

    long before = System.nanoTime();
    HttpResponse<Buffer> response = admin.get("/ready");
    long tookMillis = (System.nanoTime() - before) / 1_000_000;

    assertReady(response, 503, false, "unknown");
    assertThat(tookMillis).isBetween(900L, 5_000L);
  }

  private static void assertReady(HttpResponse<Buffer> response, int status, boolean ready, String phase) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("ready", ready).put("phase", phase));
  }
}
