package io.ringway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.ringway.spi.config.AdminConfig;
import io.ringway.spi.config.DemoUpstreamConfig;
import io.ringway.spi.config.RingwayConfig;
import io.ringway.spi.config.WarmupConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValidationTest {

  private final ConfigLoader loader = TestCatalogs.loader();

  @Test
  void anEmptyDocumentTakesEveryDefault() {
    RingwayConfig config = valid(new JsonObject());

    assertThat(config.transport()).isEqualTo("auto");
    assertThat(config.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.transportOptions()).isEmpty();
    assertThat(config.verticles()).containsExactly("admin", "demo-upstream");
    assertThat(config.admin()).isEqualTo(new AdminConfig("127.0.0.1", 9901, null));
    assertThat(config.demoUpstream()).isEqualTo(new DemoUpstreamConfig("127.0.0.1", 8081, 9001, TestCatalogs.NODE));
  }

  @Test
  void readsEverySection() {
    RingwayConfig config = valid(new JsonObject()
        .put("transport", "nio")
        .put("eventLoops", 3)
        .put("transportOptions", new JsonObject().put("io_uring", new JsonObject().put("ringSize", 1024)))
        .put("verticles", new JsonArray().add("demo-upstream"))
        .put("admin", new JsonObject().put("host", "0.0.0.0").put("port", 9902).put("token", "s3cret"))
        .put("demoUpstream", new JsonObject().put("httpPort", 18081).put("tcpPort", 19001).put("node", "edge-1")));

    assertThat(config.transport()).isEqualTo("nio");
    assertThat(config.eventLoops()).isEqualTo(3);
    assertThat(config.transportOptions("io_uring")).isEqualTo(new JsonObject().put("ringSize", 1024));
    assertThat(config.verticles()).containsExactly("demo-upstream");
    assertThat(config.admin()).isEqualTo(new AdminConfig("0.0.0.0", 9902, "s3cret"));
    assertThat(config.demoUpstream()).isEqualTo(new DemoUpstreamConfig("127.0.0.1", 18081, 19001, "edge-1"));
  }

  @Test
  void collectsEveryErrorAtOnce() {
    List<String> errors = errors(new JsonObject()
        .put("transport", "uring")
        .put("verticles", new JsonArray().add("admin").add("tcp"))
        .put("admin", new JsonObject().put("port", "abc").put("prot", 9902)));

    assertThat(errors).containsExactly(
        "transport: unknown transport \"uring\" (known: auto, io_uring, epoll, nio)",
        "verticles[1]: unknown verticle \"tcp\" (known: admin, demo-upstream, tcp-proxy, http-router, tun-bridge)",
        "admin.port: expected an integer from 1 to 65535, got \"abc\"",
        "admin.prot: unknown key (known: host, port, token, drainTimeout, drainCloseSpread)");
  }

  @Test
  void saysWhereEachWrongValueIs() {
    assertThat(errors(new JsonObject().put("eventLoops", 2000)))
        .containsExactly("eventLoops: expected an integer from 0 to 1024, got 2000");
    assertThat(errors(new JsonObject().put("eventLoops", 2.5)))
        .containsExactly("eventLoops: expected an integer from 0 to 1024, got 2.5");
    assertThat(errors(new JsonObject().put("transport", 5)))
        .containsExactly("transport: expected a non-empty string, got 5");
    assertThat(errors(new JsonObject().put("admin", "127.0.0.1")))
        .containsExactly("admin: expected an object, got \"127.0.0.1\"");
    assertThat(errors(new JsonObject().put("demoUpstream", new JsonObject().put("tcpPort", 0))))
        .containsExactly("demoUpstream.tcpPort: expected an integer from 1 to 65535, got 0");
    assertThat(errors(new JsonObject().put("demoUpstream", new JsonObject().put("httpPort", 9001))))
        .containsExactly("demoUpstream.tcpPort: must differ from httpPort (both are 9001)");
    assertThat(errors(new JsonObject().put("demoUpstream", new JsonObject().put("node", ""))))
        .containsExactly("demoUpstream.node: expected a non-empty string, got \"\"");
    assertThat(errors(new JsonObject().put("prot", 1)))
        .containsExactly("prot: unknown key (known: transport, eventLoops, transportOptions, verticles, admin, demoUpstream, clusters, tcp, http, tun, cluster, warmup)");
  }

  @Test
  void checksTheVerticleList() {
    assertThat(errors(new JsonObject().put("verticles", new JsonArray())))
        .containsExactly("verticles: expected a non-empty list, got []");
    assertThat(errors(new JsonObject().put("verticles", "admin")))
        .containsExactly("verticles: expected a list, got \"admin\"");
    assertThat(errors(new JsonObject().put("verticles", new JsonArray().add("admin").add(7).add("admin"))))
        .containsExactly(
            "verticles[1]: expected a non-empty string, got 7",
            "verticles[2]: duplicate verticle \"admin\" (already at verticles[0])");
  }

  @Test
  void acceptsAnyVerticleNameWhenNoProviderIsKnown() {
    ConfigLoader bare = new ConfigLoader(PluginCatalog.load(), Map.of("HOSTNAME", "n"), Map.of());

    ConfigResult result = bare.parse(new JsonObject().put("verticles", new JsonArray().add("tcp-proxy")));

    assertThat(result.errors()).isEmpty();
    assertThat(result.config().verticles()).containsExactly("tcp-proxy");
  }

  @Test
  void letsEachTransportPluginCheckItsOwnOptions() {
    assertThat(errors(new JsonObject().put("transportOptions", new JsonObject()
        .put("uring", new JsonObject())
        .put("io_uring", new JsonObject().put("ringSize", 1000))
        .put("nio", new JsonObject().put("threads", 2))
        .put("epoll", "fast"))))
        .containsExactly(
            "transportOptions.uring: unknown transport \"uring\" (known: io_uring, epoll, nio)",
            "transportOptions.io_uring.ringSize: expected a power of two from 2 to 32768, got 1000",
            "transportOptions.nio.threads: unknown key (the nio transport takes no options)",
            "transportOptions.epoll: expected an object, got \"fast\"");
  }

  @Test
  void requiresATokenWhenTheAdminApiLeavesLoopback() {
    assertThat(errors(new JsonObject().put("admin", new JsonObject().put("host", "0.0.0.0"))))
        .containsExactly("admin.token: required when admin.host is not loopback (admin.host is \"0.0.0.0\")");
    assertThat(errors(new JsonObject().put("admin", new JsonObject().put("host", "admin.example.com"))))
        .hasSize(1);
  }

  @Test
  void spreadsIdleClosesWithinTheDrainTimeout() {
    assertThat(valid(new JsonObject()).admin().drainCloseSpread()).isEqualTo(Duration.ofSeconds(5));
    assertThat(valid(new JsonObject().put("admin", new JsonObject().put("drainTimeout", "4s"))).admin()
        .drainCloseSpread()).isEqualTo(Duration.ofSeconds(2));
    assertThat(valid(new JsonObject().put("admin", new JsonObject().put("drainCloseSpread", "0"))).admin()
        .drainCloseSpread()).isEqualTo(Duration.ZERO);
    assertThat(errors(new JsonObject().put("admin", new JsonObject().put("drainTimeout", "10s").put("drainCloseSpread", "10s"))))
        .containsExactly("admin.drainCloseSpread: must be shorter than admin.drainTimeout (10s), got 10s");
    assertThat(errors(new JsonObject().put("admin", new JsonObject().put("drainCloseSpread", "-1s"))))
        .hasSize(1).first().asString().startsWith("admin.drainCloseSpread: expected a duration from 0");
  }

  @Test
  void warmsUpOnlyWhenAskedAndForAtMostMaxDuration() {
    assertThat(valid(new JsonObject()).warmup()).isEqualTo(WarmupConfig.DISABLED);
    assertThat(valid(new JsonObject().put("warmup", new JsonObject().put("enabled", true))).warmup())
        .isEqualTo(new WarmupConfig(true, Duration.ofSeconds(15)));
    assertThat(valid(new JsonObject().put("warmup", new JsonObject().put("enabled", true).put("maxDuration", "12s")))
        .warmup()).isEqualTo(new WarmupConfig(true, Duration.ofSeconds(12)));
    assertThat(errors(new JsonObject().put("warmup", new JsonObject().put("enabled", "yes").put("maxDuration", "500ms")
        .put("seconds", 10)))).containsExactly(
        "warmup.enabled: expected true or false, got \"yes\"",
        "warmup.maxDuration: expected a duration from 1s to 5m such as 250ms, 5s, 2m or 1h, got \"500ms\"",
        "warmup.seconds: unknown key (known: enabled, maxDuration)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.3.2.1", "localhost", "LocalHost", "::1", "[::1]", "0:0:0:0:0:0:0:1"})
  void needsNoTokenOnLoopback(String host) {
    assertThat(errors(new JsonObject().put("admin", new JsonObject().put("host", host)))).isEmpty();
  }

  @Test
  void treatsNullAsAbsent() {
    RingwayConfig config = valid(new JsonObject().putNull("admin").putNull("eventLoops")
        .put("transportOptions", new JsonObject().putNull("io_uring")));

    assertThat(config.admin().port()).isEqualTo(9901);
    assertThat(config.transportOptions("io_uring")).isEqualTo(new JsonObject());
  }

  private RingwayConfig valid(JsonObject document) {
    ConfigResult result = loader.parse(document);
    assertThat(result.errors()).isEmpty();
    assertThat(result.isValid()).isTrue();
    return result.config();
  }

  private List<String> errors(JsonObject document) {
    ConfigResult result = loader.parse(document);
    assertThat(result.config() == null).isEqualTo(!result.errors().isEmpty());
    return result.errors().stream().map(ConfigError::toString).toList();
  }
}
