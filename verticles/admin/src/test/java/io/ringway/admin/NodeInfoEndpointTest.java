package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.NodePhase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeInfoEndpointTest {

  private final AdminFixture admin = new AdminFixture();

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void infoReportsWhatTheNodeSaysWithItsUptime() throws Exception {
    Instant startedAt = Instant.now().minus(90, ChronoUnit.SECONDS).truncatedTo(ChronoUnit.MILLIS);
    admin.answerNodeInfo(() -> AdminFixture.info(NodePhase.READY, startedAt));
    admin.start(null);

    HttpResponse<Buffer> response = admin.get("/info");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject info = response.bodyAsJsonObject();
    assertThat(info.fieldNames()).containsExactlyInAnyOrder(
        "version", "transport", "eventLoops", "configVersion", "phase", "startedAt", "uptimeSeconds");
    assertThat(info.getString("version")).isEqualTo("1.2.3");
    assertThat(info.getString("transport")).isEqualTo("io_uring");
    assertThat(info.getInteger("eventLoops")).isEqualTo(4);
    assertThat(info.getLong("configVersion")).isEqualTo(7);
    assertThat(info.getString("phase")).isEqualTo("READY");
    assertThat(Instant.parse(info.getString("startedAt"))).isEqualTo(startedAt);
    assertThat(info.getLong("uptimeSeconds")).isBetween(90L, 120L);
  }

  @Test
  void infoIs503WhenNobodyAnswersNodeInfo() throws Exception {
    admin.start(null);

    HttpResponse<Buffer> response = admin.get("/info");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("error")).startsWith("node info unavailable: ");
  }
}
