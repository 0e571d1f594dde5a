package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.NodePhase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BearerTokenTest {

  private static final String TOKEN = "s3cret-t0ken";

  private final AdminFixture admin = new AdminFixture();

  @BeforeEach
  void start() throws Exception {
    admin.answerNodeInfo(() -> AdminFixture.info(NodePhase.READY, Instant.now()));
    admin.start(TOKEN);
  }

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void everyEndpointButTheProbesRefusesACallWithoutTheToken() throws Exception {
    for (String path : new String[] {"/info", "/stats", "/clusters", "/config", "/", "/dashboard/dashboard.js",
        "/dashboard/events", "/dashboard/state"}) {
      HttpResponse<Buffer> response = admin.get(path);

      assertThat(response.statusCode()).as(path).isEqualTo(401);
      assertThat(response.headers().getAll("WWW-Authenticate")).as(path)
          .containsExactly("Bearer", "Basic realm=\"ringway admin\", charset=\"UTF-8\"");
    }
  }

  @Test
  void livenessAndReadinessProbesNeedNoToken() throws Exception {
    // A kubelet cannot present the token; these two say only whether the node is up and ready.
    assertThat(admin.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(admin.get("/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void aWrongTokenOrSchemeIsRefused() throws Exception {
    assertThat(withAuthorization("/info", "Bearer " + TOKEN + "x").statusCode()).isEqualTo(401);
    assertThat(withAuthorization("/info", "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
    assertThat(withAuthorization("/info", "Basic " + TOKEN).statusCode()).isEqualTo(401);
    assertThat(withAuthorization("/info", TOKEN).statusCode()).isEqualTo(401);
  }

  @Test
  void theRightTokenIsLetThrough() throws Exception {
    assertThat(withAuthorization("/healthz", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(withAuthorization("/info", "bearer " + TOKEN).statusCode()).as("scheme is case-insensitive").isEqualTo(200);
  }

  @Test
  void aBrowserPresentsTheTokenAsTheBasicPasswordWithAnyUserName() throws Exception {
    assertThat(withAuthorization("/", "Basic " + basic("ops:" + TOKEN)).statusCode()).isEqualTo(200);
    assertThat(withAuthorization("/info", "basic " + basic(":" + TOKEN)).statusCode()).isEqualTo(200);
    assertThat(withAuthorization("/info", "Basic " + basic("ops:" + TOKEN + "x")).statusCode()).isEqualTo(401);
    assertThat(withAuthorization("/info", "Basic " + basic(TOKEN)).statusCode()).as("no colon: no password").isEqualTo(401);
    assertThat(withAuthorization("/info", "Basic not*base64").statusCode()).isEqualTo(401);
  }

  @Test
  void unknownPathsAreHiddenFromCallersWithoutTheToken() throws Exception {
    assertThat(admin.get("/nope").statusCode()).isEqualTo(401);
    assertThat(withAuthorization("/nope", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
  }

  private static String basic(String credentials) {
    return java.util.Base64.getEncoder().encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private HttpResponse<Buffer> withAuthorization(String path, String authorization) throws Exception {
    return admin.call(HttpMethod.GET, path, request -> request.putHeader("Authorization", authorization));
  }
}
