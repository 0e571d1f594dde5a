package io.ringway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.Addresses;
import io.ringway.spi.message.ConfigPut;
import io.ringway.spi.message.ConfigStored;
import io.ringway.spi.message.EndpointRegistered;
import io.ringway.spi.message.RegisterEndpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code PUT /config} and {@code POST /endpoints/<cluster>}: what the admin API makes of the cluster's answers. */
class ClusterWritesTest {

  private static final String TOKEN = "t0ken";

  private final AdminFixture admin = new AdminFixture();

  @AfterEach
  void close() throws Exception {
    admin.close();
  }

  @Test
  void putConfigNeedsATokenEvenOnLoopback() throws Exception {
    admin.start(null);

    HttpResponse<Buffer> response = admin.call(HttpMethod.PUT, "/config", request -> request);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.bodyAsJsonObject().getString("error")).contains("set admin.token");
  }

  @Test
  void aStandaloneNodeSaysItIsNotClustered() throws Exception {
    admin.start(TOKEN);

    assertThat(authorized(HttpMethod.PUT, "/config", "admin: {port: 9902}").statusCode()).isEqualTo(501);
    assertThat(authorized(HttpMethod.POST, "/endpoints/api", "{\"host\":\"10.0.0.1\",\"port\":80}").statusCode()).isEqualTo(501);
  }

  @Test
  void putConfigPassesTheVersionItExpectsAndReportsConflictsAndErrors() throws Exception {
    AtomicReference<ConfigPut> received = new AtomicReference<>();
    admin.vertx.eventBus().<ConfigPut>localConsumer(Addresses.CLUSTER_CONFIG_PUT, message -> {
      received.set(message.body());
      switch (message.body().text()) {
        case "stale" -> message.fail(409, new JsonObject().put("currentVersion", 4).encode());
        case "bad" -> message.fail(400, new JsonObject().put("errors", new JsonArray().add("admin.port: wrong")).encode());
        default -> message.reply(new ConfigStored(5));
      }
    });
    admin.start(TOKEN);

    HttpResponse<Buffer> stored = admin.client.request(HttpMethod.PUT, admin.port, AdminFixture.HOST, "/config")
        .bearerTokenAuthentication(TOKEN).putHeader("If-Match", "\"4\"")
        .sendBuffer(Buffer.buffer("admin: {port: 9902}")).await(10, TimeUnit.SECONDS);
    assertThat(stored.statusCode()).isEqualTo(200);
    assertThat(stored.bodyAsJsonObject().getLong("version")).isEqualTo(5);
    assertThat(received.get().ifVersion()).isEqualTo(4);

    HttpResponse<Buffer> conflict = authorized(HttpMethod.PUT, "/config", "stale");
    assertThat(conflict.statusCode()).isEqualTo(409);
    assertThat(conflict.bodyAsJsonObject().getLong("currentVersion")).isEqualTo(4);

    HttpResponse<Buffer> invalid = authorized(HttpMethod.PUT, "/config", "bad");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.bodyAsJsonObject().getJsonArray("errors")).containsExactly("admin.port: wrong");
  }

  @Test
  void postEndpointsNamesTheClusterFromThePath() throws Exception {
    admin.vertx.eventBus().<RegisterEndpoint>localConsumer(Addresses.CLUSTER_ENDPOINTS_REGISTER, message -> {
      if (message.body().cluster().equals("api")) {
        message.reply(new EndpointRegistered("api", message.body().endpoint(), "member-1"));
      } else {
        message.fail(404, "unknown cluster \"" + message.body().cluster() + "\"");
      }
    });
    admin.start(TOKEN);

    HttpResponse<Buffer> created = authorized(HttpMethod.POST, "/endpoints/api", "{\"host\":\"10.0.0.1\",\"port\":80}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getJsonObject("endpoint").getString("host")).isEqualTo("10.0.0.1");
    assertThat(authorized(HttpMethod.POST, "/endpoints/nope", "{\"host\":\"10.0.0.1\",\"port\":80}").statusCode()).isEqualTo(404);
    assertThat(authorized(HttpMethod.POST, "/endpoints/api", "not json").statusCode()).isEqualTo(400);
    HttpResponse<Buffer> badPort = authorized(HttpMethod.POST, "/endpoints/api", "{\"host\":\"10.0.0.1\",\"port\":\"80\"}");
    assertThat(badPort.statusCode()).isEqualTo(400);
    assertThat(badPort.bodyAsJsonObject().getString("error")).isEqualTo("port: expected an integer, got \"80\"");
  }

  private HttpResponse<Buffer> authorized(HttpMethod method, String path, String body) throws Exception {
    return admin.client.request(method, admin.port, AdminFixture.HOST, path).bearerTokenAuthentication(TOKEN)
        .sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }
}
