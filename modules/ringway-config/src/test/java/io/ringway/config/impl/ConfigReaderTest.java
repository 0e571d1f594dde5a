package io.ringway.config.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringway.spi.ConfigError;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of the reader today's schema does not use yet, which later sections will. */
class ConfigReaderTest {

  private final List<ConfigError> errors = new ArrayList<>();

  @Test
  void readsBooleansFromTheDocumentAndFromOverrides() {
    ConfigReader section = reader(new JsonObject().put("cluster", new JsonObject().put("enabled", true).put("multicast", "yes")),
        Map.of("RINGWAY_CLUSTER__KUBERNETES", "TRUE")).object("cluster");

    assertThat(section.bool("enabled", false)).isTrue();
    assertThat(section.bool("kubernetes", false)).isTrue();
    assertThat(section.bool("multicast", false)).isFalse();
    assertThat(section.bool("absent", true)).isTrue();
    assertThat(errors).containsExactly(new ConfigError("cluster.multicast", "expected true or false, got \"yes\""));
  }

  @Test
  void refusesNumbersOutsideTheRangeOfItsType() {
    ConfigReader root = reader(new JsonObject().put("big", new BigInteger("100000000000000000000")).put("quoted", "7"), Map.of());

    assertThat(root.integer("big", 0, 10, 1)).isEqualTo(1);
    assertThat(root.integer("quoted", 0, 10, 1)).isEqualTo(1);
    assertThat(errors).extracting(ConfigError::toString).containsExactly(
        "big: expected an integer from 0 to 10, got 100000000000000000000",
        "quoted: expected an integer from 0 to 10, got \"7\"");
  }

  @Test
  void pathsNestAndListsIndex() {
    ConfigReader routes = reader(new JsonObject().put("http", new JsonObject().put("routes", new JsonObject()
        .put("hosts", List.of("a", "")))), Map.of()).object("http").object("routes");

    assertThat(routes.strings("hosts", 1, List.of())).extracting(ConfigReader.Item::path).containsExactly("http.routes.hosts[0]");
    assertThat(errors).extracting(ConfigError::toString)
        .containsExactly("http.routes.hosts[1]: expected a non-empty string, got \"\"");
  }

  @Test
  void readsListsOfObjectsWithAPathPerEntryAndOverridesByIndex() {
    ConfigReader http = reader(new JsonObject().put("http", new JsonObject().put("routes", List.of(
            Map.of("cluster", "web"), Map.of("cluster", 5), "static"))),
        Map.of("RINGWAY_HTTP__ROUTES__0__CLUSTER", "api", "RINGWAY_HTTP__ROUTES__3__CLUSTER", "x",
            "RINGWAY_HTTP__ROUTES__FIRST__CLUSTER", "y")).object("http");

    List<ConfigReader> routes = http.objects("routes");

    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).string("cluster", null)).isEqualTo("api");
    assertThat(routes.get(1).string("cluster", null)).isNull();
    routes.get(1).rejectUnknownKeys();
    http.rejectUnknownKeys();
    assertThat(errors).extracting(ConfigError::toString).containsExactly(
        "RINGWAY_HTTP__ROUTES__3__CLUSTER: the list http.routes has no entry 3 (entries: 3)",
        "RINGWAY_HTTP__ROUTES__FIRST__CLUSTER: the list http.routes has no entry FIRST (entries: 3)",
        "http.routes[2]: expected an object, got \"static\"",
        "http.routes[1].cluster: expected a non-empty string, got 5");
  }

  private ConfigReader reader(JsonObject document, Map<String, String> env) {
    return ConfigReader.root(document, ConfigOverlay.from(env, Map.of()), errors);
  }
}
